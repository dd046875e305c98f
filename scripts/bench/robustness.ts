/**
 * Robustness of the provider endpoint with the default config and the shared models, against the
 * daemon in a child process: a short TCP fuzz run (frames thrown per second, memory before and
 * after, describe round-trips while fuzzed against idle, anything left over), 64 concurrent
 * speech-to-text and 64 text-to-speech peers (each from its own loopback address), and a soak of
 * mixed requests measuring memory drift. Replay the fuzz with SATELLITE_FUZZ_SEED=<seed>.
 */
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { floatToInt16Bytes } from '../../src/audio/pcm.js';
import { readClip, referenceClips } from '../../test/helpers/clips.js';
import { hasCommand, hasSharedModels, SHARED_MODELS } from '../../test/helpers/system.js';
import { ZIPFORMER, hasZipformer } from '../../test/helpers/stt-fixtures.js';
import { seedFrom } from '../../test/helpers/seeded-random.js';
import { loopbackPeers, type TcpFuzzStats } from '../../test/helpers/wyoming-fuzz-tcp.js';
import { paddedClip } from '../../test/engines/wake/wake-helpers.js';
import { BenchDaemon } from './robustness/bench-daemon.js';
import type { Probe } from './robustness/daemon-child.js';
import { concurrentLoad, percentile, type LoadResult } from './robustness/load.js';
import { describeOnce, detectOnce, synthesizeOnce, transcribeOnce, type Audio } from './robustness/requests.js';
import { soak, type SoakInputs } from './robustness/soak.js';
import type { BenchResult } from './types.js';

/**
 * Default config apart from where the models are and which recogniser is the default, and the TTS
 * cache, which is off: every request here has a new text, so the cache would only fill towards its
 * bound (32 MB) and that growth would read as drift in the soak.
 */
const CONFIG = { models_dir: SHARED_MODELS, stt: { default_model: ZIPFORMER }, tts: { cache: { max_entries: 0 } } };
const LOAD_CLIP = 'librispeech-1089-134691-0001.wav';
const SOAK_CLIP = 'librispeech-1089-134691-0000.wav';
const WAKE_CLIP = 'oww-alexa.wav';
const WAKE_NAME = 'alexa';
const VOICE = 'espeak-ng-en-us';
const TTS_TEXT = 'The kitchen lights are now on and the front door is locked';
const LOAD_CLIENTS = 64;
const FUZZ_MS = 10_000;
const FUZZ_LANES = 12;
const FUZZ_PEERS = loopbackPeers(2, 8);
const IDLE_DESCRIBES = 100;
/** Pause between describe probes, so the probe itself is not a load. */
const DESCRIBE_GAP_MS = 10;
const SOAK = { warmup: 200, requests: 1_000, lanes: 8 };
const DRAIN_TIMEOUT_MS = 15_000;
const TARGET_DESCRIBE_P99_MS = 500;
const TARGET_RSS_DRIFT_MB = 5;

const round = (v: number, digits = 1) => Number(v.toFixed(digits));
const mb = (bytes: number) => round(bytes / 1024 / 1024);
const leftover = (p: Probe) => p.connections + p.asrStreams + p.wakeSessions;

function audioOf(file: string): Audio {
  const wav = readClip(file);
  return { pcm: wav.pcm, format: wav.format };
}

function referenceOf(file: string): string {
  return referenceClips().find((c) => c.file === file)?.reference ?? '';
}

/** Describe round-trips (fresh connection each, as Home Assistant polls) until `until` resolves or `count` are done. */
async function describeTimes(port: number, count: number, until?: Promise<unknown>): Promise<{ ms: number[]; failed: number }> {
  let stop = false;
  void until?.then(() => (stop = true));
  const ms: number[] = [];
  let failed = 0;
  while (until ? !stop : ms.length + failed < count) {
    const o = await describeOnce(port);
    if (o.ok) ms.push(o.ms);
    else failed++;
    await sleep(DESCRIBE_GAP_MS);
  }
  return { ms, failed };
}

function runFuzzWorker(port: number, seed: number): Promise<TcpFuzzStats> {
  const workerData = { port, seed, frames: Number.MAX_SAFE_INTEGER, lanes: FUZZ_LANES, peers: FUZZ_PEERS, deadline: Date.now() + FUZZ_MS };
  const worker = new Worker(new URL('./robustness/fuzz-worker.js', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function fuzzSection(daemon: BenchDaemon): Promise<BenchResult[]> {
  const seed = seedFrom('SATELLITE_FUZZ_SEED');
  const before = await daemon.probe();
  const idle = await describeTimes(daemon.port, IDLE_DESCRIBES);
  const fuzz = runFuzzWorker(daemon.port, seed);
  const fuzzed = await describeTimes(daemon.port, 0, fuzz);
  const stats = await fuzz;
  const after = await daemon.drained(DRAIN_TIMEOUT_MS);
  const [i50, i99, f50, f99] = [percentile(idle.ms, 50), percentile(idle.ms, 99), percentile(fuzzed.ms, 50), percentile(fuzzed.ms, 99)];
  const note = `${stats.frames} frames, ${stats.connections} connections in ${round(stats.elapsedMs / 1000)} s, seed ${seed}`;
  return [
    { name: 'fuzz frames thrown', value: round(stats.frames / (stats.elapsedMs / 1000), 0), unit: 'frames/s', note },
    { name: 'fuzz daemon RSS before', value: mb(before.rssBytes), unit: 'MB', note: 'after forced GC' },
    { name: 'fuzz daemon RSS after', value: mb(after.rssBytes), unit: 'MB', note: 'after forced GC' },
    { name: 'describe p50 idle', value: round(i50), unit: 'ms', note: `${idle.ms.length} round-trips` },
    { name: 'describe p99 idle', value: round(i99), unit: 'ms' },
    { name: 'describe p50 fuzzed', value: round(f50), unit: 'ms', note: `${fuzzed.ms.length} round-trips` },
    { name: 'describe p99 fuzzed', value: round(f99), unit: 'ms', target: `< ${TARGET_DESCRIBE_P99_MS}`, pass: f99 < TARGET_DESCRIBE_P99_MS },
    { name: 'describe p50 fuzzed/idle', value: round(f50 / i50, 2), unit: 'x' },
    { name: 'describe p99 fuzzed/idle', value: round(f99 / i99, 2), unit: 'x' },
    { name: 'describe failures fuzzed', value: fuzzed.failed, unit: 'requests', target: '0', pass: fuzzed.failed === 0 },
    { name: 'left over after fuzz', value: leftover(after), unit: 'held', target: '0', pass: leftover(after) === 0, note: JSON.stringify({ connections: after.connections, asrStreams: after.asrStreams, wakeSessions: after.wakeSessions }) },
    { name: 'fuzz log lines per connection', value: round((after.logLines - before.logLines) / stats.connections, 2), unit: 'lines', note: `${mb(after.logBytes - before.logBytes)} MB at level info` },
  ];
}

function loadRows(label: string, r: LoadResult): BenchResult[] {
  const note = Object.keys(r.failures).length ? `failures: ${JSON.stringify(r.failures)}` : `each from its own 127.0.0.N`;
  return [
    { name: `${label} answered`, value: r.answered, unit: `/${r.total}`, target: `${r.total}/${r.total}`, pass: r.answered === r.total, note },
    { name: `${label} p50 latency`, value: round(r.p50Ms, 0), unit: 'ms' },
    { name: `${label} p99 latency`, value: round(r.p99Ms, 0), unit: 'ms' },
  ];
}

async function loadSection(daemon: BenchDaemon): Promise<BenchResult[]> {
  const clip = audioOf(LOAD_CLIP);
  const reference = referenceOf(LOAD_CLIP);
  const stt = await concurrentLoad(LOAD_CLIENTS, 2, (from) => transcribeOnce(daemon.port, clip, reference, from));
  await daemon.drained(DRAIN_TIMEOUT_MS);
  // a different text per peer: the same one would be answered from the TTS cache
  const tts = await concurrentLoad(LOAD_CLIENTS, 2, (from, i) => synthesizeOnce(daemon.port, `${TTS_TEXT}, peer ${i}.`, VOICE, from));
  return [...loadRows(`${LOAD_CLIENTS} concurrent STT`, stt), ...loadRows(`${LOAD_CLIENTS} concurrent TTS`, tts)];
}

async function soakSection(daemon: BenchDaemon, inputs: SoakInputs): Promise<BenchResult[]> {
  const r = await soak(daemon, inputs, { ...SOAK, seed: seedFrom('SATELLITE_FUZZ_SEED') });
  const per1000 = (bytes: number) => round(((bytes / 1024 / 1024) * 1000) / r.requests, 2);
  const failed = Object.values(r.failed).reduce((a, b) => a + b, 0);
  return [
    { name: 'soak mixed requests', value: r.requests, unit: 'requests', note: `${round(r.elapsedMs / 1000)} s after ${SOAK.warmup} warm-up, ${SOAK.lanes} peers at once` },
    { name: 'soak requests failed', value: failed, unit: 'requests', target: '0', pass: failed === 0, ...(failed ? { note: JSON.stringify(r.failed).slice(0, 300) } : {}) },
    { name: 'soak RSS drift', value: per1000(r.end.rssBytes - r.start.rssBytes), unit: 'MB/1000 req', target: `< ${TARGET_RSS_DRIFT_MB}`, pass: per1000(r.end.rssBytes - r.start.rssBytes) < TARGET_RSS_DRIFT_MB, note: `${mb(r.start.rssBytes)} → ${mb(r.end.rssBytes)} MB after forced GC` },
    { name: 'soak heap drift', value: per1000(r.end.heapUsedBytes - r.start.heapUsedBytes), unit: 'MB/1000 req' },
    { name: 'left over after soak', value: leftover(r.end), unit: 'held', target: '0', pass: leftover(r.end) === 0 },
  ];
}

/** One request of each kind, so every model is loaded before anything is measured. */
async function warmUp(port: number, inputs: SoakInputs): Promise<void> {
  const results = [
    await transcribeOnce(port, inputs.stt.audio, inputs.stt.reference),
    await synthesizeOnce(port, inputs.tts.text, inputs.tts.voice),
    await detectOnce(port, inputs.wake.audio, inputs.wake.name),
  ];
  const bad = results.find((o) => !o.ok);
  if (bad) throw new Error(`warm-up request failed: ${bad.detail}`);
}

export async function bench(): Promise<BenchResult[]> {
  if (!hasSharedModels() || !hasZipformer() || !hasCommand('espeak-ng')) {
    return [{ name: 'skipped', value: NaN, unit: '', note: 'needs the shared models and espeak-ng' }];
  }
  const daemon = await BenchDaemon.start(CONFIG);
  const wake = { pcm: floatToInt16Bytes(paddedClip(WAKE_CLIP)), format: { rate: 16_000, width: 2, channels: 1 } };
  const inputs: SoakInputs = {
    port: daemon.port,
    stt: { audio: audioOf(SOAK_CLIP), reference: referenceOf(SOAK_CLIP) },
    tts: { text: TTS_TEXT, voice: VOICE },
    wake: { audio: wake, name: WAKE_NAME },
  };
  const rows: BenchResult[] = [];
  const sections: Array<[string, () => Promise<BenchResult[]>]> = [
    ['warm-up', async () => (await warmUp(daemon.port, inputs), [])],
    ['fuzz', () => fuzzSection(daemon)],
    ['load', () => loadSection(daemon)],
    ['soak', () => soakSection(daemon, inputs)],
  ];
  try {
    for (const [name, run] of sections) {
      process.stderr.write(`  robustness: ${name}…\n`);
      try {
        rows.push(...(await run()));
      } catch (err) {
        rows.push({ name: `${name} failed`, value: NaN, unit: '', pass: false, note: err instanceof Error ? err.message : String(err) });
      }
    }
    rows.push({ name: 'daemon alive at the end', value: daemon.alive ? 1 : 0, unit: 'bool', target: '1', pass: daemon.alive, ...(daemon.exit ? { note: JSON.stringify(daemon.exit) } : {}) });
  } finally {
    await daemon.stop();
  }
  return rows;
}
