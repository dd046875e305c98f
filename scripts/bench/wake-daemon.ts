/**
 * openWakeWord as Home Assistant uses it: one Wyoming connection to the daemon's provider
 * streaming 10 ms chunks in real time, the daemon's CPU time read from /proc over the stream
 * (every thread: socket, codec, conversion, the models). Its floor, measured in the same run: the
 * three ONNX models alone (melspectrogram, embedding, one head per word), called directly hop by
 * hop through onnxruntime-node in this process, paced like the stream (one hop per 80 ms): a
 * model run after an idle gap costs more than back-to-back runs with warm caches, and that is not
 * the daemon's doing.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrt } from '../../src/engines/runtime/ort-session.js';
import { cpuSeconds, startProbe } from './daemon-probe.js';

export const CHUNK_MS = 10;
const CHUNK_BYTES = (16_000 * 2 * CHUNK_MS) / 1000;
const HOP_MS = 80;
/** Audio streamed before the measured part (models load, caches warm). */
const WARM_UP_MS = 2_000;

function frame(type: string, data: Record<string, unknown>, payload?: Buffer): Buffer {
  const body = Buffer.from(JSON.stringify(data));
  const header = JSON.stringify({ type, data_length: body.length, ...(payload ? { payload_length: payload.length } : {}) });
  return Buffer.concat([Buffer.from(`${header}\n`), body, ...(payload ? [payload] : [])]);
}

/** Streams `pcm` (16 kHz mono int16) in 10 ms chunks paced at real time; resolves after the last. */
async function streamRealTime(socket: net.Socket, pcm: Buffer): Promise<void> {
  const format = { rate: 16_000, width: 2, channels: 1 };
  const start = performance.now();
  let sent = 0;
  for (let at = 0; at + CHUNK_BYTES <= pcm.length; at += CHUNK_BYTES) {
    socket.write(frame('audio-chunk', format, pcm.subarray(at, at + CHUNK_BYTES)));
    sent++;
    const due = start + sent * CHUNK_MS - performance.now();
    if (due > 0) await sleep(due);
  }
}

/** CPU ms the daemon spends per 80 ms hop while one connection streams `pcm` for the words (null: the default word). */
export async function daemonWakeCpuPerHop(modelsDir: string, words: string[] | null, pcm: Buffer): Promise<number> {
  const probe = await startProbe({ models_dir: modelsDir, stt: { enabled: false }, tts: { enabled: false } });
  try {
    const socket = net.connect(probe.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('data', () => undefined);
    const format = { rate: 16_000, width: 2, channels: 1 };
    socket.write(frame('detect', words ? { names: words } : {}));
    socket.write(frame('audio-start', format));
    const warm = (16_000 * 2 * WARM_UP_MS) / 1000;
    await streamRealTime(socket, pcm.subarray(0, warm));
    const before = 1000 * cpuSeconds(probe.child.pid!);
    await streamRealTime(socket, pcm.subarray(warm));
    // the last chunks are processed before the count is read
    await sleep(HOP_MS * 2);
    const used = 1000 * cpuSeconds(probe.child.pid!) - before;
    socket.destroy();
    const measuredMs = ((pcm.length - warm) / (16_000 * 2)) * 1000;
    return used / (measuredMs / HOP_MS);
  } finally {
    await probe.stop();
  }
}

/** CPU ms per hop of the models alone: melspectrogram, embedding and `heads` heads, called directly once per 80 ms. */
export async function modelFloorCpuPerHop(files: { melspectrogram: string; embedding: string; heads: string[] }, hops: number): Promise<number> {
  const ort = await loadOrt();
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const, graphOptimizationLevel: 'all' as const };
  const mel = await ort.InferenceSession.create(files.melspectrogram, options);
  const emb = await ort.InferenceSession.create(files.embedding, options);
  const heads = await Promise.all(files.heads.map((h) => ort.InferenceSession.create(h, options)));
  const melIn = new ort.Tensor('float32', new Float32Array(1_760).map(() => (Math.random() - 0.5) * 2_000), [1, 1_760]);
  const embIn = new ort.Tensor('float32', new Float32Array(76 * 32).fill(1), [1, 76, 32, 1]);
  const headIn = new ort.Tensor('float32', new Float32Array(16 * 96).fill(0.1), [1, 16, 96]);
  const hop = async () => {
    await mel.run({ [mel.inputNames[0]!]: melIn });
    await emb.run({ [emb.inputNames[0]!]: embIn });
    for (const h of heads) await h.run({ [h.inputNames[0]!]: headIn });
  };
  try {
    for (let i = 0; i < 20; i++) await hop();
    const before = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < hops; i++) {
      await hop();
      const due = start + (i + 1) * HOP_MS - performance.now();
      if (due > 0) await sleep(due);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / hops;
  } finally {
    await Promise.all([mel, emb, ...heads].map((s) => s.release()));
  }
}
