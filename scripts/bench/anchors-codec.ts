/**
 * Our Wyoming codec against the reference `wyoming` library (PyPI, in the bench's virtualenv):
 * encode of 100k `audio-chunk` events with 2048-byte payloads (its `write_event`), decode + parse
 * to a typed event (its `read_event` + `AudioChunk.from_event`), and events per second through a
 * TCP server that only counts them (its `AsyncServer` against our `WyomingServer`, each in its own
 * process, fed the same pre-encoded bytes by one client). Interleaved repetitions; the figures are
 * events per CPU-second of the process doing the work (the machine is shared: CPU time holds where
 * wall time does not); wall figures go in the notes.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrameDecoder, encodeFrame } from '../../src/wyoming/frame.js';
import { parseEvent } from '../../src/wyoming/events.js';
import { REPO_ROOT } from '../../test/helpers/system.js';
import { anchorVenv } from './anchors-venv.js';
import { cpuSeconds, freePort, median, reps, round, runCommandJson, skippedRow, speedupRow, startServer, type ServerProcess } from './anchors-measure.js';
import type { BenchResult } from './types.js';

const ENCODE_EVENTS = 100_000;
const DECODE_EVENTS = 50_000;
const TCP_EVENTS = 20_000;
const PUSH_TIMEOUT_MS = 300_000;
const SOCKET_CHUNK = 64 * 1024;
const TARGET_CODEC = 2.5;
const TARGET_TCP = 1;
const PAYLOAD = Buffer.alloc(2048, 7);
const DRIVER = path.join(REPO_ROOT, 'scripts', 'bench', 'py', 'wyoming_codec.py');
const OUR_SERVER = fileURLToPath(new URL('./anchors-drivers/codec-server.js', import.meta.url));

interface Timing {
  perCpuSecond: number;
  seconds: number;
}

const chunkFrame = () => ({ type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1, timestamp: null }, payload: PAYLOAD });

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function ourEncode(count: number): Timing {
  const frame = chunkFrame();
  for (let i = 0; i < 20_000; i++) encodeFrame(frame); // warm-up
  const start = performance.now();
  const cpu = cpuNow();
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += encodeFrame(frame).length;
  const cpuUsed = cpuNow() - cpu;
  if (bytes === 0) throw new Error('nothing encoded');
  return { perCpuSecond: count / cpuUsed, seconds: (performance.now() - start) / 1000 };
}

function encodedStream(count: number): Buffer {
  const frame = chunkFrame();
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(encodeFrame(frame));
  return Buffer.concat(parts);
}

function ourDecode(stream: Buffer, count: number): Timing {
  const start = performance.now();
  const cpu = cpuNow();
  const decoder = new FrameDecoder();
  let frames = 0;
  for (let at = 0; at < stream.length; at += SOCKET_CHUNK) {
    for (const f of decoder.push(stream.subarray(at, at + SOCKET_CHUNK))) {
      if (parseEvent(f)?.type === 'audio-chunk') frames++;
    }
  }
  const cpuUsed = cpuNow() - cpu;
  if (frames !== count) throw new Error(`decoded ${frames} of ${count} events`);
  return { perCpuSecond: frames / cpuUsed, seconds: (performance.now() - start) / 1000 };
}

async function theirs(python: string, mode: 'encode' | 'decode', count: number): Promise<Timing> {
  const r = await runCommandJson<{ per_cpu_second: number; seconds: number }>(python, [DRIVER, mode, String(count)], 600_000);
  return { perCpuSecond: r.per_cpu_second, seconds: r.seconds };
}

/** Pushes the pre-encoded chunks and audio-stop; resolves when the server's count comes back. */
async function pushThrough(server: ServerProcess, stream: Buffer): Promise<Timing> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port: server.port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const cpu = cpuSeconds(server.child.pid!);
  const start = performance.now();
  const decoder = new FrameDecoder();
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type !== 'transcript') continue;
        const counted = Number(f.data['text']);
        if (counted === TCP_EVENTS) resolve();
        else reject(new Error(`server counted ${counted} of ${TCP_EVENTS} chunks`));
      }
    });
    socket.once('close', () => reject(new Error('server closed the connection')));
  });
  socket.write(stream);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([done, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no count from the server in time')), PUSH_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuUsed = cpuSeconds(server.child.pid!) - cpu;
  // /proc counts in 10 ms ticks: a floor keeps a tiny figure from dividing by zero
  return { perCpuSecond: TCP_EVENTS / Math.max(cpuUsed, 0.01), seconds };
}

export async function bench(): Promise<BenchResult[]> {
  const venv = await anchorVenv('lib');
  if (!venv.python) {
    return ['encode', 'decode+parse', 'TCP server intake'].map((n) => skippedRow(`codec ${n}: ours / wyoming library`, venv.skipped ?? 'no venv'));
  }
  const python = venv.python;
  const rounds = reps(3, 1);
  const enc = { ours: [] as Timing[], theirs: [] as Timing[] };
  const dec = { ours: [] as Timing[], theirs: [] as Timing[] };
  const decodeStream = encodedStream(DECODE_EVENTS);
  for (let r = 0; r < rounds; r++) {
    // the order alternates against drift in the machine's load
    if (r % 2 === 0) {
      enc.ours.push(ourEncode(ENCODE_EVENTS));
      enc.theirs.push(await theirs(python, 'encode', ENCODE_EVENTS));
      dec.ours.push(ourDecode(decodeStream, DECODE_EVENTS));
      dec.theirs.push(await theirs(python, 'decode', DECODE_EVENTS));
    } else {
      enc.theirs.push(await theirs(python, 'encode', ENCODE_EVENTS));
      enc.ours.push(ourEncode(ENCODE_EVENTS));
      dec.theirs.push(await theirs(python, 'decode', DECODE_EVENTS));
      dec.ours.push(ourDecode(decodeStream, DECODE_EVENTS));
    }
  }
  const tcp = { ours: [] as Timing[], theirs: [] as Timing[] };
  const stream = Buffer.concat([encodedStream(TCP_EVENTS), encodeFrame({ type: 'audio-stop', data: {} })]);
  const ourPort = await freePort();
  const ours = await startServer(process.execPath, [OUR_SERVER, String(ourPort)], ourPort);
  const theirPort = await freePort();
  let anchor: ServerProcess | undefined;
  try {
    anchor = await startServer(python, [DRIVER, 'server', String(theirPort)], theirPort);
    await pushThrough(ours, stream); // warm-up
    await pushThrough(anchor, stream);
    for (let r = 0; r < rounds + 2; r++) {
      if (r % 2 === 0) {
        tcp.ours.push(await pushThrough(ours, stream));
        tcp.theirs.push(await pushThrough(anchor, stream));
      } else {
        tcp.theirs.push(await pushThrough(anchor, stream));
        tcp.ours.push(await pushThrough(ours, stream));
      }
    }
  } finally {
    await ours.stop();
    await anchor?.stop();
  }
  const perCpu = (t: Timing[]) => t.map((x) => x.perCpuSecond);
  const wall = (t: Timing[], n: number) => `wall median ours ${round(n / median(t.map((x) => x.seconds)), 0)} / anchor`;
  const wallNote = (o: Timing[], a: Timing[], n: number) => `${wall(o, n)} ${round(n / median(a.map((x) => x.seconds)), 0)} events/s; ${rounds} interleaved reps`;
  return [
    speedupRow('codec encode audio-chunk 2048 B: ours / wyoming write_event', perCpu(enc.ours), perCpu(enc.theirs), TARGET_CODEC, 'events/CPU-s', `${ENCODE_EVENTS} events; ${wallNote(enc.ours, enc.theirs, ENCODE_EVENTS)}`),
    speedupRow('codec decode+parse audio-chunk: ours / wyoming read_event+from_event', perCpu(dec.ours), perCpu(dec.theirs), TARGET_CODEC, 'events/CPU-s', `${DECODE_EVENTS} events; ${wallNote(dec.ours, dec.theirs, DECODE_EVENTS)}`),
    speedupRow('TCP server intake (count only): ours / wyoming AsyncServer', perCpu(tcp.ours), perCpu(tcp.theirs), TARGET_TCP, 'events/CPU-s', `${TCP_EVENTS} chunks per push, server CPU from /proc; ${wallNote(tcp.ours, tcp.theirs, TCP_EVENTS)}`),
  ];
}
