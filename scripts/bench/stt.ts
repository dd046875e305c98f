/**
 * Speech-to-text, per installed model (the shared models folder, or SATELLITE_BENCH_MODELS_DIR),
 * plus the generated structural fixtures (their speed says nothing about real models): load
 * time, RSS after load, real-time factor of a direct engine call, latency from audio-stop to
 * transcript per clip through the daemon (Home Assistant's flow, audio paced faster than real
 * time), the daemon's time over a direct sherpa-onnx call on the same samples, and the daemon's
 * event-loop delay p99 while 4 sessions decode. Silero VAD: real-time factor on the 60 s clip.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { AsrEngine } from '../../src/engines/asr/asr.js';
import { discoverAsrModels } from '../../src/engines/asr/model-discovery.js';
import type { AsrModelSpec } from '../../src/engines/asr/model-spec.js';
import { loadSherpa } from '../../src/engines/runtime/sherpa-native.js';
import { onlineRecognizerConfig } from '../../src/engines/asr/sherpa-online/sherpa-online.js';
import { createAsrEngine } from '../../src/engines/registry.js';
import { SileroVadFactory } from '../../src/engines/vad/silero/silero.js';
import { startTestDaemon } from '../../test/helpers/daemon.js';
import { asrFixtures } from '../../test/helpers/asr-fixtures.js';
import { referenceClips } from '../../test/helpers/clips.js';
import { clipSamples } from '../../test/helpers/stt-fixtures.js';
import { SHARED_MODELS } from '../../test/helpers/system.js';
import type { SttBenchReply, SttBenchRequest } from '../fixtures/stt-bench-client.js';
import type { BenchResult } from './types.js';

const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 8, preload: false };
const TARGET_STOP_LATENCY_MS = 50;
const TARGET_OVERHEAD = 1.05;
const TARGET_LOOP_P99_MS = 20;
const CONCURRENT = 4;
/** 100 ms chunks every 25 ms: four times real time, which the worker keeps up with. */
const PACE_MS = 25;
const OVERHEAD_ROUNDS = 5;
const CLIENT = fileURLToPath(new URL('../fixtures/stt-bench-client.js', import.meta.url));

const round = (v: number, digits = 3) => Number(v.toFixed(digits));
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

interface Clip {
  file: string;
  path: string;
  samples: Float32Array;
}

function loadClips(): Clip[] {
  return referenceClips().map((c) => ({ file: c.file, path: c.path, samples: clipSamples(c.file) }));
}

/** The Wyoming client in its own process; start it ahead to keep its start-up out of a measurement. */
export async function startSttClient(): Promise<ChildProcess> {
  const child = fork(CLIENT, { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

/** One request to a client (started here unless given); the client exits with its reply. */
export async function runSttClient(req: SttBenchRequest, started?: ChildProcess): Promise<SttBenchReply> {
  const child = started ?? (await startSttClient());
  return new Promise((resolve, reject) => {
    child.once('message', (reply: SttBenchReply) => {
      child.kill();
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply);
    });
    child.once('error', reject);
    child.send(req);
  });
}

/** Engine called directly on every clip: total decode seconds. */
async function directEngine(engine: AsrEngine, clips: Clip[]): Promise<number> {
  const t0 = performance.now();
  for (const clip of clips) {
    const s = await engine.createSession({});
    s.accept(clip.samples);
    await s.finish();
  }
  return (performance.now() - t0) / 1000;
}

/** The same samples through a plain sherpa-onnx OnlineRecognizer on this thread (the reference cost). */
function directSherpa(spec: AsrModelSpec, clips: Clip[]): number {
  const recognizer = new (loadSherpa().OnlineRecognizer)(onlineRecognizerConfig({ spec, runtime: RUNTIME }));
  const t0 = performance.now();
  for (const clip of clips) {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: clip.samples, sampleRate: 16_000 });
    stream.acceptWaveform({ samples: new Float32Array(8000), sampleRate: 16_000 });
    stream.inputFinished();
    while (recognizer.isReady(stream)) recognizer.decode(stream);
    recognizer.getResult(stream);
  }
  return (performance.now() - t0) / 1000;
}

async function benchModel(spec: AsrModelSpec, clips: Clip[], models: string): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const audioSeconds = clips.reduce((n, c) => n + c.samples.length / 16_000, 0);
  const engine = createAsrEngine(spec, RUNTIME, null);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  await engine.load?.();
  out.push({ name: `${spec.name} load`, value: round(performance.now() - t0, 0), unit: 'ms' });
  out.push({ name: `${spec.name} RSS after load`, value: mb(process.memoryUsage().rss), unit: 'MB', note: `+${mb(process.memoryUsage().rss - rssBefore)} MB for the model` });
  const rtf = (await directEngine(engine, clips)) / audioSeconds;
  out.push({ name: `${spec.name} real-time factor`, value: round(rtf, 4), unit: 'x', target: '< 1', pass: rtf < 1, note: `${clips.length} clips, ${round(audioSeconds, 1)} s` });
  await engine.close();

  const daemon = await startTestDaemon({ models_dir: models, engine: { num_threads: 1, idle_unload_s: 0 }, stt: { default_model: spec.name }, log: { level: 'warn' } });
  try {
    await runSttClient({ port: daemon.providerPort, files: [clips[0]!.path], concurrent: 1, paceMs: 0 }); // warm the model
    const paced = await runSttClient({ port: daemon.providerPort, files: clips.map((c) => c.path), concurrent: 1, paceMs: PACE_MS });
    for (const r of paced.results) {
      const seconds = clips.find((c) => c.path === r.file)!.samples.length / 16_000;
      const command = seconds <= 4;
      out.push({
        name: `${spec.name} audio-stop→transcript ${path.basename(r.file, '.wav')}`,
        value: round(r.stopToTranscriptMs, 1),
        unit: 'ms',
        ...(command && spec.family === 'streaming-transducer' ? { target: `≤ ${TARGET_STOP_LATENCY_MS}`, pass: r.stopToTranscriptMs <= TARGET_STOP_LATENCY_MS } : {}),
        note: `${round(seconds, 2)} s clip`,
      });
    }
    if (spec.family === 'streaming-transducer') out.push(await overhead(spec, clips, daemon.providerPort));
    out.push(await loopDelay(spec, clips, daemon.providerPort));
  } finally {
    await daemon.stop();
  }
  return out;
}

/** Daemon (Wyoming, worker, conversion) over the same samples decoded directly; best of a few rounds each. */
async function overhead(spec: AsrModelSpec, clips: Clip[], port: number): Promise<BenchResult> {
  let daemonBest = Infinity;
  let directBest = Infinity;
  for (let i = 0; i < OVERHEAD_ROUNDS; i++) {
    const reply = await runSttClient({ port, files: clips.map((c) => c.path), concurrent: 1, paceMs: 0 });
    daemonBest = Math.min(daemonBest, reply.results.reduce((n, r) => n + r.totalMs, 0) / 1000);
    directBest = Math.min(directBest, directSherpa(spec, clips));
  }
  const ratio = daemonBest / directBest;
  return {
    name: `${spec.name} daemon/direct time`,
    value: round(ratio),
    unit: 'ratio',
    target: `≤ ${TARGET_OVERHEAD}`,
    pass: ratio <= TARGET_OVERHEAD,
    note: `daemon ${round(daemonBest * 1000, 0)} ms vs direct sherpa-onnx ${round(directBest * 1000, 0)} ms`,
  };
}

async function loopDelay(spec: AsrModelSpec, clips: Clip[], port: number): Promise<BenchResult> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await runSttClient({ port, files: clips.map((c) => c.path).slice(0, 6), concurrent: CONCURRENT, paceMs: PACE_MS });
  histogram.disable();
  const p99 = histogram.percentile(99) / 1e6;
  return { name: `${spec.name} event-loop delay p99, ${CONCURRENT} sessions`, value: round(p99, 2), unit: 'ms', target: `≤ ${TARGET_LOOP_P99_MS}`, pass: p99 <= TARGET_LOOP_P99_MS };
}

async function benchVad(models: string): Promise<BenchResult[]> {
  const file = path.join(models, 'silero-vad', 'silero_vad.onnx');
  const samples = clipSamples('silero-vad-test-60s.wav');
  const vad = new SileroVadFactory('silero', file, { threshold: 0.5, minSilenceSeconds: 0.7, minSpeechSeconds: 0.25 }, RUNTIME);
  await vad.load();
  const stream = await vad.createStream({});
  const t0 = performance.now();
  for (let at = 0; at < samples.length; at += 1600) await stream.accept(samples.subarray(at, at + 1600));
  const rtf = (performance.now() - t0) / 1000 / (samples.length / 16_000);
  stream.close();
  await vad.close();
  return [{ name: 'silero-vad real-time factor', value: round(rtf, 4), unit: 'x', target: '< 0.05', pass: rtf < 0.05, note: '60 s clip in 100 ms chunks, worker thread' }];
}

async function benchFixtures(clips: Clip[]): Promise<BenchResult[]> {
  const fx = asrFixtures();
  if (!fx.dir) return [{ name: 'structural fixtures', value: NaN, unit: '', note: `skipped: ${fx.reason}` }];
  const out: BenchResult[] = [];
  for (const spec of await discoverAsrModels(fx.dir)) {
    const engine = createAsrEngine(spec, RUNTIME, null);
    const t0 = performance.now();
    await engine.load?.();
    const load = performance.now() - t0;
    const t1 = performance.now();
    const s = await engine.createSession({});
    s.accept(clips[0]!.samples);
    await s.finish();
    out.push({ name: `${spec.name} load / decode`, value: round(load, 0), unit: 'ms', note: `decode ${round(performance.now() - t1, 0)} ms; structural fixture, says nothing about real models` });
    // A full 28 s window: feature extraction is the slow synchronous part, and it runs in the worker.
    const long = new Float32Array(28 * 16_000).map((_, i) => Math.sin(i / 9) * 0.1);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const s2 = await engine.createSession({});
    s2.accept(long);
    await s2.finish();
    histogram.disable();
    const p99 = histogram.percentile(99) / 1e6;
    out.push({ name: `${spec.name} event-loop delay p99, 28 s decode`, value: round(p99, 2), unit: 'ms', target: `≤ ${TARGET_LOOP_P99_MS}`, pass: p99 <= TARGET_LOOP_P99_MS });
    await engine.close();
  }
  return out;
}

export async function bench(): Promise<BenchResult[]> {
  const models = process.env['SATELLITE_BENCH_MODELS_DIR'] ?? SHARED_MODELS;
  let clips: Clip[];
  try {
    clips = loadClips();
  } catch {
    return [{ name: 'speech-to-text', value: NaN, unit: '', note: `skipped: no test clips under ${SHARED_MODELS}` }];
  }
  const out: BenchResult[] = [];
  const specs = (await discoverAsrModels(models)).filter((s) => s.languages.includes('en'));
  if (specs.length === 0) out.push({ name: 'speech-to-text models', value: NaN, unit: '', note: `skipped: no English model under ${models}` });
  for (const spec of specs) out.push(...(await benchModel(spec, clips, models)));
  out.push(...(await benchVad(SHARED_MODELS).catch((err: Error) => [{ name: 'silero-vad', value: NaN, unit: '', note: `skipped: ${err.message}` }])));
  out.push(...(await benchFixtures(clips)));
  return out;
}
