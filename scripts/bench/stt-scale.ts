/**
 * Speech-to-text against its raw baselines, each pair interleaved in one run (min and median):
 *
 * - the daemon (Wyoming, session, worker) over direct sherpa-onnx on the same clips, Whisper
 *   tiny.en at 1 thread each, wall and CPU;
 * - N concurrent sessions (1, 2, 4, 8): aggregate real-time factor and the slowest session's
 *   latency against N / cores × one session's;
 * - audio pushed faster than real time by peers that then vanish: how much of it gets decoded and
 *   what the next request waits (streaming zipformer);
 * - TCP intake of 20,000 `audio-chunk` events into an STT session against a server of the
 *   reference `wyoming` library that only counts them.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { discoverAsrModels } from '../../src/engines/asr/model-discovery.js';
import { decodeAll, directRecognizer } from './stt-direct.js';
import type { SherpaOnlineEngine } from '../../src/engines/asr/sherpa-online/sherpa-online.js';
import type { AsrModelSpec } from '../../src/engines/asr/model-spec.js';
import { FrameDecoder, encodeFrame } from '../../src/wyoming/frame.js';
import { eventFrame } from '../../src/wyoming/events.js';
import { startTestDaemon, type TestDaemon } from '../../test/helpers/daemon.js';
import { referenceClips } from '../../test/helpers/clips.js';
import { clipAs, clipSamples, ZIPFORMER, hasZipformer } from '../../test/helpers/stt-fixtures.js';
import { realModel } from '../../test/helpers/real-models.js';
import { REPO_ROOT, sharedModel } from '../../test/helpers/system.js';
import { anchorVenv } from './anchors-venv.js';
import { cpuSeconds, freePort, median, min, ratioRow, reps, round, skippedRow, speedupRow, startServer } from './anchors-measure.js';
import { runSttClient, startSttClient } from './stt.js';
import type { BenchResult } from './types.js';

const ANCHOR_DRIVER = path.join(REPO_ROOT, 'scripts', 'bench', 'py', 'wyoming_codec.py');
const TARGET_OVERHEAD = 1.05;
const TARGET_INTAKE = 1;
const SWEEP = [1, 2, 4, 8];
const INTAKE_CHUNKS = 20_000;
const INTAKE_PAYLOAD = 2048;
/** Peers that push a long stream at full speed and vanish, and the audio each sends. */
const PUSHERS = 6;
const PUSH_SECONDS = 128;
const FORMAT = { rate: 16_000, width: 2, channels: 1, timestamp: null };

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Clip {
  path: string;
  samples: Float32Array;
}

/** Daemon over direct sherpa-onnx on the same clips: wall (client's first chunk → transcript) and CPU. */
async function overhead(daemon: TestDaemon, spec: AsrModelSpec, clips: Clip[]): Promise<BenchResult[]> {
  const recognizer = directRecognizer(spec);
  const samples = clips.map((c) => c.samples);
  const direct = () => {
    const cpu = cpuNow();
    const t0 = performance.now();
    decodeAll(recognizer, samples);
    return { wall: performance.now() - t0, cpu: (cpuNow() - cpu) * 1000 };
  };
  const viaDaemon = async () => {
    const client = await startSttClient();
    const cpu = cpuNow(); // the client is another process, already started: this is the daemon's CPU
    const reply = await runSttClient({ port: daemon.providerPort, files: clips.map((c) => c.path), concurrent: 1, paceMs: 0 }, client);
    return { wall: reply.results.reduce((n, r) => n + r.totalMs, 0), cpu: (cpuNow() - cpu) * 1000 };
  };
  direct();
  await viaDaemon(); // warm both
  const ours: Array<{ wall: number; cpu: number }> = [];
  const raw: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < reps(5); r++) {
    if (r % 2 === 0) {
      ours.push(await viaDaemon());
      raw.push(direct());
    } else {
      raw.push(direct());
      ours.push(await viaDaemon());
    }
  }
  const audio = round(clips.reduce((n, c) => n + c.samples.length / 16_000, 0), 1);
  return [
    ratioRow(`STT ${spec.name}: daemon / direct sherpa-onnx, wall`, ours.map((o) => o.wall), raw.map((o) => o.wall), TARGET_OVERHEAD, 'ms', `${clips.length} clips, ${audio} s, 1 thread each, VAD trimming on`),
    ratioRow(`STT ${spec.name}: daemon / direct sherpa-onnx, CPU`, ours.map((o) => o.cpu), raw.map((o) => o.cpu), TARGET_OVERHEAD, 'ms', 'every thread of the process (the client runs apart)'),
  ];
}

/**
 * The engine's own scaling on this machine: N direct sherpa-onnx recognisers, one worker thread
 * and one intra-op thread each (as the daemon's copies run), decoding the same clips at the same
 * moment. Slowest lane by N, over repetitions (min); the daemon's sweep is held to this floor.
 */
async function directSweep(spec: AsrModelSpec, clips: Clip[]): Promise<Map<number, number[]>> {
  const url = new URL('./stt-direct-worker.js', import.meta.url);
  const lanes = await Promise.all(
    Array.from({ length: Math.max(...SWEEP) }, async () => {
      const worker = new Worker(url, { workerData: { spec, clips: clips.map((c) => c.samples) } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      return worker;
    }),
  );
  const run = (worker: Worker) =>
    new Promise<number>((resolve, reject) => {
      worker.once('message', (ms: number) => resolve(ms));
      worker.once('error', reject);
      worker.postMessage('go');
    });
  const slowest = new Map<number, number[]>();
  try {
    await run(lanes[0]!); // warm
    for (let r = 0; r < reps(3, 1); r++) {
      for (const n of r % 2 === 0 ? SWEEP : [...SWEEP].reverse()) {
        const times = await Promise.all(lanes.slice(0, n).map(run));
        slowest.set(n, [...(slowest.get(n) ?? []), Math.max(...times)]);
      }
    }
  } finally {
    await Promise.all(lanes.map((w) => w.terminate()));
  }
  return slowest;
}

/** N sessions at once: aggregate real-time factor and the slowest session against N / cores × one, and against the engine's own scaling. */
async function sweep(daemon: TestDaemon, spec: AsrModelSpec, clips: Clip[], workers: number): Promise<BenchResult[]> {
  const files = clips.map((c) => c.path);
  const audio = clips.reduce((n, c) => n + c.samples.length / 16_000, 0);
  const out: BenchResult[] = [];
  const slowest = new Map<number, number[]>();
  const aggregate = new Map<number, number[]>();
  // Untimed: the widest run loads every copy of the model, so no timed run pays a copy's load.
  await runSttClient({ port: daemon.providerPort, files, concurrent: Math.max(...SWEEP), paceMs: 0 });
  for (let r = 0; r < reps(3, 1); r++) {
    for (const n of r % 2 === 0 ? SWEEP : [...SWEEP].reverse()) {
      const t0 = performance.now();
      const reply = await runSttClient({ port: daemon.providerPort, files, concurrent: n, paceMs: 0 });
      const wall = (performance.now() - t0) / 1000;
      // one lane's requests, summed: a session's time from its first chunk to its transcript
      const perLane = Array.from({ length: n }, (_, lane) => reply.results.slice(lane * files.length, (lane + 1) * files.length).reduce((s, x) => s + x.totalMs, 0));
      slowest.set(n, [...(slowest.get(n) ?? []), Math.max(...perLane)]);
      aggregate.set(n, [...(aggregate.get(n) ?? []), (n * audio) / wall]);
    }
  }
  const direct = await directSweep(spec, clips);
  const one = min(slowest.get(1)!);
  const directOne = min(direct.get(1)!);
  for (const n of SWEEP) {
    const allowed = Math.max(1, n / workers);
    const latency = min(slowest.get(n)!);
    const engine = min(direct.get(n)!) / directOne;
    out.push({
      name: `STT ${spec.name}: ${n} concurrent sessions, slowest session / one session`,
      value: round(latency / one),
      unit: 'x',
      target: `≤ ${round(allowed, 2)} (N / cores)`,
      pass: latency / one <= allowed * 1.1,
      note: `slowest min ${round(latency, 0)} / median ${round(median(slowest.get(n)!), 0)} ms; aggregate ${round(Math.max(...aggregate.get(n)!), 1)}× real time; ${workers} workers; 10 % tolerance; direct sherpa-onnx, ${n} recognisers at once: ${round(engine)}×`,
    });
    out.push({
      name: `STT ${spec.name}: ${n} concurrent sessions, daemon's scaling / direct sherpa-onnx's`,
      value: round(latency / one / engine),
      unit: 'x',
      target: '≤ 1.1',
      pass: latency / one / engine <= 1.1,
      note: `direct: ${n} recognisers in ${n} worker threads, slowest ${round(min(direct.get(n)!), 0)} ms vs one ${round(directOne, 0)} ms = ${round(engine)}×`,
    });
  }
  return out;
}

/** Frames of a 100 ms-chunked stream of `seconds` of audio after `transcribe`. */
function pushStream(seconds: number): Buffer {
  const pcm = clipAs('jfk.wav', 16_000, 1).pcm;
  const step = 3200;
  const parts = [encodeFrame(eventFrame('transcribe', {})), encodeFrame(eventFrame('audio-start', FORMAT))];
  for (let sent = 0, at = 0; sent < seconds * 10; sent++, at = (at + step) % (pcm.length - step)) parts.push(encodeFrame(eventFrame('audio-chunk', FORMAT, pcm.subarray(at, at + step))));
  return Buffer.concat(parts);
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `bytes`, then waits for the first frame `match` accepts. */
async function exchange(socket: net.Socket, bytes: Buffer, match: (type: string) => boolean, timeoutMs = 300_000): Promise<string> {
  const decoder = new FrameDecoder({ maxPayloadBytes: 64 * 1024 * 1024 });
  const answer = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (!match(f.type)) continue;
        clearTimeout(timer);
        resolve(f.type === 'transcript' ? String(f.data['text']) : f.type);
      }
    });
    socket.once('close', () => reject(new Error('closed before the answer')));
  });
  socket.write(bytes);
  return answer;
}

/** Peers pushing far faster than real time, then vanishing: audio decoded for them, and the next request's wait. */
async function pushFaster(): Promise<BenchResult[]> {
  if (!hasZipformer()) return [skippedRow('STT push faster than real time', 'shared zipformer model missing')];
  const daemon = await startTestDaemon({ models_dir: sharedModel(), engine: { num_threads: 1, idle_unload_s: 0 }, stt: { default_model: ZIPFORMER, max_utterance_s: PUSH_SECONDS + 10 }, log: { level: 'warn' } }, { logLevel: 'warn', keepLogs: false });
  try {
    const engine = () => daemon.context.speech.engine('asr', ZIPFORMER) as unknown as SherpaOnlineEngine;
    const request = () => runSttClient({ port: daemon.providerPort, files: [sharedModel('test-wavs', 'piper-this-is-a-test.wav')], concurrent: 1, paceMs: 0 });
    await request();
    const quiet: number[] = [];
    const loaded: number[] = [];
    const abandoned: number[] = [];
    const whileAlive: number[] = [];
    const stream = pushStream(PUSH_SECONDS);
    for (let r = 0; r < reps(3, 1); r++) {
      const quietStart = engine().decodedSeconds;
      quiet.push((await request()).results[0]!.totalMs);
      const before = engine().decodedSeconds;
      const ownSeconds = before - quietStart; // what one request decodes by itself
      const peers = await Promise.all(Array.from({ length: PUSHERS }, () => connect(daemon.providerPort)));
      for (const peer of peers) peer.write(stream);
      await new Promise((r) => setTimeout(r, 500));
      // What the live peers had decoded is theirs; what is decoded after they are gone is waste.
      const gone = engine().decodedSeconds;
      for (const peer of peers) peer.destroy();
      loaded.push((await request()).results[0]!.totalMs);
      const after = engine().decodedSeconds;
      abandoned.push(Math.max(0, after - gone - ownSeconds));
      whileAlive.push(gone - before);
    }
    const sent = PUSHERS * PUSH_SECONDS;
    return [
      ratioRow(`STT push faster than real time: next request with ${PUSHERS} abandoned pushes / without`, loaded, quiet, 1.5, 'ms', `${PUSHERS} peers × ${PUSH_SECONDS} s pushed at full speed, gone after 0.5 s`),
      {
        name: 'STT push faster than real time: audio decoded after the peers were gone',
        value: round(median(abandoned), 1),
        unit: 's',
        target: `≤ ${PUSHERS} (at most 1 s in flight per session)`,
        pass: median(abandoned) <= PUSHERS,
        note: `of ${sent} s sent; min ${round(min(abandoned), 1)} s; decoded while they were connected (0.5 s): ${round(median(whileAlive), 1)} s (the next request's own audio is not counted)`,
      },
    ];
  } finally {
    await daemon.stop();
  }
}

/** 20,000 chunks into an STT session (read, parsed, bounds checked, converted, buffered) against a count-only reference server. */
async function intake(modelsDir: string, model: string): Promise<BenchResult[]> {
  const name = 'STT TCP intake, 20,000 chunks: daemon session / wyoming AsyncServer counting';
  const venv = await anchorVenv('lib');
  if (!venv.python) return [skippedRow(name, venv.skipped ?? 'no venv')];
  const chunk = encodeFrame(eventFrame('audio-chunk', FORMAT, Buffer.alloc(INTAKE_PAYLOAD, 1)));
  const chunks = Buffer.concat(Array.from({ length: INTAKE_CHUNKS }, () => chunk));
  const head = Buffer.concat([encodeFrame(eventFrame('transcribe', { name: model })), encodeFrame(eventFrame('audio-start', FORMAT))]);
  // Ours: a ping after the chunks comes back once they are read (reads pause while the session lags).
  const ourStream = Buffer.concat([head, chunks, encodeFrame(eventFrame('ping', { text: 'end' }))]);
  const theirStream = Buffer.concat([head, chunks, encodeFrame(eventFrame('audio-stop', { timestamp: null }))]);
  const audioSeconds = (INTAKE_CHUNKS * INTAKE_PAYLOAD) / 32_000;
  const daemon = await startTestDaemon(
    { models_dir: modelsDir, stt: { default_model: model, max_utterance_s: audioSeconds + 10, trim_silence: false }, log: { level: 'warn' } },
    { logLevel: 'warn', keepLogs: false },
  );
  const port = await freePort();
  const anchor = await startServer(venv.python, [ANCHOR_DRIVER, 'server', String(port)], port);
  try {
    const ours = async () => {
      const socket = await connect(daemon.providerPort);
      const cpu = cpuNow();
      const t0 = performance.now();
      await exchange(socket, ourStream, (t) => t === 'pong' || t === 'error');
      const out = { perSecond: INTAKE_CHUNKS / ((performance.now() - t0) / 1000), perCpu: INTAKE_CHUNKS / Math.max(cpuNow() - cpu, 0.01) };
      socket.destroy();
      return out;
    };
    const theirs = async () => {
      const socket = await connect(port);
      const cpu = cpuSeconds(anchor.child.pid!);
      const t0 = performance.now();
      const counted = await exchange(socket, theirStream, (t) => t === 'transcript');
      if (Number(counted) !== INTAKE_CHUNKS) throw new Error(`anchor counted ${counted}`);
      const out = { perSecond: INTAKE_CHUNKS / ((performance.now() - t0) / 1000), perCpu: INTAKE_CHUNKS / Math.max(cpuSeconds(anchor.child.pid!) - cpu, 0.01) };
      socket.destroy();
      return out;
    };
    await ours();
    await theirs();
    const o: Array<{ perSecond: number; perCpu: number }> = [];
    const t: Array<{ perSecond: number; perCpu: number }> = [];
    for (let r = 0; r < reps(5); r++) {
      if (r % 2 === 0) {
        o.push(await ours());
        t.push(await theirs());
      } else {
        t.push(await theirs());
        o.push(await ours());
      }
    }
    return [
      speedupRow(`${name}, wall`, o.map((x) => x.perSecond), t.map((x) => x.perSecond), TARGET_INTAKE, 'chunks/s', `${INTAKE_PAYLOAD} B chunks (${round(audioSeconds, 0)} s of audio) into a ${model} session, trimming off`),
      speedupRow(`${name}, CPU`, o.map((x) => x.perCpu), t.map((x) => x.perCpu), TARGET_INTAKE, 'chunks/CPU-s', 'ours: the daemon process; anchor: its process from /proc'),
    ];
  } finally {
    await anchor.stop();
    await daemon.stop();
  }
}

export async function bench(): Promise<BenchResult[]> {
  const whisper = realModel('whisper');
  const out: BenchResult[] = [];
  if (!whisper.dir) {
    out.push(skippedRow('STT daemon / direct sherpa-onnx and concurrency sweep', whisper.reason ?? 'whisper-tiny.en missing'));
  } else {
    const modelsDir = path.dirname(whisper.dir);
    const spec = (await discoverAsrModels(modelsDir)).find((s) => s.dir === whisper.dir || s.name === path.basename(whisper.dir!));
    if (!spec) {
      out.push(skippedRow('STT daemon / direct sherpa-onnx', `no model found in ${whisper.dir}`));
    } else {
      const clips = referenceClips().map((c) => ({ path: c.path, samples: clipSamples(c.file) }));
      const workers = Math.max(1, os.availableParallelism());
      const daemon = await startTestDaemon(
        { models_dir: modelsDir, engine: { num_threads: 1, idle_unload_s: 0 }, stt: { default_model: spec.name }, log: { level: 'warn' } },
        { logLevel: 'warn', keepLogs: false },
      );
      try {
        out.push(...(await overhead(daemon, spec, clips)));
        // short and long clips: a command and a dictation
        const sweepClips = clips.filter((c) => /jfk|piper-this|1089-134691-0000/.test(c.path));
        out.push(...(await sweep(daemon, spec, sweepClips, workers)));
      } finally {
        await daemon.stop();
      }
      out.push(...(await intake(modelsDir, spec.name).catch((err: Error) => [skippedRow('STT TCP intake', err.message)])));
    }
  }
  out.push(...(await pushFaster().catch((err: Error) => [skippedRow('STT push faster than real time', err.message)])));
  return out;
}
