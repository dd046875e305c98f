/**
 * wyoming-openwakeword (PyPI) against our openWakeWord, as Home Assistant drives them: one
 * Wyoming connection streaming 10 ms chunks in real time. Server CPU per 80 ms hop (from /proc,
 * every thread) with 1 word and with 4, and detections on the shared positives and negatives.
 * Same openWakeWord v0.1 weights: ours the ONNX files of /work/shared/models/openwakeword, the
 * anchor the tflite forms its wheel bundles (melspectrogram and embedding included; it loads no
 * ONNX). Real-time pacing is required: the anchor keeps a sliding window and drops audio that
 * arrives faster than it processes.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pcmToFloatMono, floatToInt16Bytes } from '../../src/audio/pcm.js';
import { readClip } from '../../test/helpers/clips.js';
import { sharedModel } from '../../test/helpers/system.js';
import { encodeFrame, FrameDecoder } from '../../src/wyoming/frame.js';
import { startOurDaemon } from './anchors-daemon.js';
import { cpuSeconds, freePort, ratioRow, reps, round, skippedRow, startServer, type ServerProcess } from './anchors-measure.js';
import { anchorVenv } from './anchors-venv.js';
import type { BenchResult } from './types.js';

const CHUNK_MS = 10;
const CHUNK_BYTES = (16_000 * 2 * CHUNK_MS) / 1000;
const HOP_MS = 80;
const WARM_UP_MS = 1_000;
/** Audio per CPU measurement (of the 60 s VAD clip: speech, never a wake word). */
const CPU_MS = 10_000;
const CPU_CLIP = 'silero-vad-test-60s.wav';
const WORDS = ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'];
const POSITIVES: Array<[string, string]> = [
  ['oww-alexa.wav', 'alexa'],
  ['oww-hey-mycroft.wav', 'hey_mycroft'],
];
const NEGATIVES = ['oww-hey-jane.wav', 'lights-70pct.wav', 'jfk.wav'];
/** Silence around each detection clip (twice before, once after), then the wait for late detections after audio-stop. */
const PAD_MS = 1_000;
const SETTLE_MS = 1_000;
const TARGET = 1;
const FORMAT = { rate: 16_000, width: 2, channels: 1 };

function pcm16k(file: string): Buffer {
  const wav = readClip(file);
  if (wav.format.rate !== 16_000) throw new Error(`${file} is not 16 kHz`);
  return floatToInt16Bytes(pcmToFloatMono(wav.pcm, wav.format));
}

interface Stream {
  detections: string[];
  send: (pcm: Buffer) => Promise<void>;
  close: () => Promise<void>;
}

/** A `detect` connection; `send` paces 10 ms chunks at real time. */
async function openStream(port: number, names: string[]): Promise<Stream> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const detections: string[] = [];
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    // the anchor names a detection by its model file (alexa_v0.1), ours by the word
    for (const f of decoder.push(chunk)) if (f.type === 'detection') detections.push(String(f.data['name'] ?? '').replace(/_v\d+(\.\d+)*$/, ''));
  });
  socket.write(encodeFrame({ type: 'detect', data: { names } }));
  socket.write(encodeFrame({ type: 'audio-start', data: { ...FORMAT, timestamp: 0 } }));
  let sentMs = 0;
  const start = performance.now();
  const send = async (pcm: Buffer) => {
    for (let at = 0; at + CHUNK_BYTES <= pcm.length; at += CHUNK_BYTES) {
      socket.write(encodeFrame({ type: 'audio-chunk', data: { ...FORMAT, timestamp: sentMs }, payload: pcm.subarray(at, at + CHUNK_BYTES) }));
      sentMs += CHUNK_MS;
      const due = start + sentMs - performance.now();
      if (due > 0) await sleep(due);
    }
  };
  const close = async () => {
    socket.write(encodeFrame({ type: 'audio-stop', data: { timestamp: sentMs } }));
    await sleep(SETTLE_MS);
    socket.destroy();
  };
  return { detections, send, close };
}

/** Server CPU ms per 80 ms hop while one connection streams the CPU clip for `names`. */
async function cpuPerHop(server: ServerProcess, names: string[], audio: Buffer): Promise<number> {
  const stream = await openStream(server.port, names);
  const warm = (WARM_UP_MS * CHUNK_BYTES) / CHUNK_MS;
  await stream.send(audio.subarray(0, warm));
  const before = cpuSeconds(server.child.pid!);
  await stream.send(audio.subarray(warm, warm + (CPU_MS * CHUNK_BYTES) / CHUNK_MS));
  // the last chunks are processed before the count is read
  await sleep(HOP_MS * 2);
  const used = (cpuSeconds(server.child.pid!) - before) * 1000;
  await stream.close();
  return used / (CPU_MS / HOP_MS);
}

async function detectionsOn(server: ServerProcess, file: string): Promise<string[]> {
  const stream = await openStream(server.port, WORDS);
  // silence before the clip fills the models' context window (the anchor needs ~1.3 s of it)
  const pad = Buffer.alloc((PAD_MS * CHUNK_BYTES) / CHUNK_MS);
  await stream.send(Buffer.concat([pad, pad, pcm16k(file), pad]));
  await stream.close();
  // a server may report one utterance more than once (the anchor does, hop after hop)
  return [...new Set(stream.detections)];
}

export async function bench(): Promise<BenchResult[]> {
  const names = ['wake CPU per hop, 1 word', 'wake CPU per hop, 4 words', 'wake detections'];
  const owwDir = sharedModel('openwakeword');
  if (!existsSync(owwDir)) return names.map((n) => skippedRow(`${n}: ours / wyoming-openwakeword`, `no ${owwDir}`));
  const venv = await anchorVenv('oww');
  if (!venv.python) return names.map((n) => skippedRow(`${n}: ours / wyoming-openwakeword`, venv.skipped ?? 'no venv'));
  // a models folder with only the wake models, so the daemon finds nothing else to load
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-anchors-wake-'));
  symlinkSync(owwDir, path.join(modelsDir, 'openwakeword'));
  const servers: ServerProcess[] = [];
  try {
    const ours = await startOurDaemon({ models_dir: modelsDir, stt: { enabled: false }, tts: { enabled: false } });
    servers.push(ours);
    const port = await freePort();
    const anchor = await startServer(venv.python, ['-m', 'wyoming_openwakeword', '--uri', `tcp://127.0.0.1:${port}`, ...WORDS.flatMap((w) => ['--preload-model', w])], port);
    servers.push(anchor);
    const audio = pcm16k(CPU_CLIP);
    const cpu = { ours1: [] as number[], theirs1: [] as number[], ours4: [] as number[], theirs4: [] as number[] };
    const rounds = reps(2, 1);
    for (let r = 0; r < rounds; r++) {
      const pairs: Array<[ServerProcess, string[], number[]]> = [
        [ours, WORDS.slice(0, 1), cpu.ours1],
        [anchor, WORDS.slice(0, 1), cpu.theirs1],
        [ours, WORDS, cpu.ours4],
        [anchor, WORDS, cpu.theirs4],
      ];
      if (r % 2 === 1) pairs.reverse();
      for (const [server, words, into] of pairs) into.push(await cpuPerHop(server, words, audio));
    }
    const detection = async (server: ServerProcess) => {
      let hits = 0;
      let misses: string[] = [];
      let falses: string[] = [];
      for (const [file, word] of POSITIVES) {
        const got = await detectionsOn(server, file);
        if (got.includes(word)) hits++;
        else misses.push(file);
        falses = falses.concat(got.filter((g) => g !== word).map((g) => `${g} in ${file}`));
      }
      for (const file of NEGATIVES) falses = falses.concat((await detectionsOn(server, file)).map((g) => `${g} in ${file}`));
      return { hits, misses, falses };
    };
    const d = { ours: await detection(ours), theirs: await detection(anchor) };
    const share = (v: number[]) => `${round((Math.min(...v) / HOP_MS) * 100, 2)} % of a core`;
    const setup = `10 ms chunks in real time, ${CPU_MS / 1000} s of ${CPU_CLIP}, server CPU from /proc; ${rounds} interleaved reps`;
    const describeDetections = (x: { hits: number; misses: string[]; falses: string[] }) =>
      `${x.hits}/${POSITIVES.length} positives${x.misses.length ? ` (missed ${x.misses.join(', ')})` : ''}, ${x.falses.length} false${x.falses.length ? ` (${x.falses.join(', ')})` : ''}`;
    return [
      ratioRow('wake CPU per 80 ms hop, 1 word: ours / wyoming-openwakeword', cpu.ours1, cpu.theirs1, TARGET, 'ms', `ours ${share(cpu.ours1)}, anchor ${share(cpu.theirs1)}; ${setup}`),
      ratioRow('wake CPU per 80 ms hop, 4 words: ours / wyoming-openwakeword', cpu.ours4, cpu.theirs4, TARGET, 'ms', `ours ${share(cpu.ours4)}, anchor ${share(cpu.theirs4)}; ${setup}`),
      {
        name: 'wake detections: ours − wyoming-openwakeword (hits − false)',
        value: d.ours.hits - d.ours.falses.length - (d.theirs.hits - d.theirs.falses.length),
        unit: 'count',
        target: '≥ 0',
        pass: d.ours.hits - d.ours.falses.length >= d.theirs.hits - d.theirs.falses.length,
        note: `ours ${describeDetections(d.ours)}; anchor ${describeDetections(d.theirs)}; negatives ${NEGATIVES.join(', ')}`,
      },
    ];
  } finally {
    for (const s of servers) await s.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  }
}
