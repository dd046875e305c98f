/**
 * Idle resident memory in stages: a bare Node process, the daemon with wake and VAD models
 * installed but nothing loaded, then with the wake models loaded, with wake + VAD (the always-on
 * pair of a satellite; goal ≤ 80 MB), and with a streaming ASR model too. Stages are interleaved
 * per repetition; loads come from `preload`, and each process is measured once it has settled.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { sharedModel } from '../../test/helpers/system.js';
import { median, modelsFolder, round, rssMb, startProbe, threadCount } from './daemon-probe.js';
import type { BenchResult } from './types.js';

const REPS = 3;
/** Time given to preloads (and the garbage collector) before memory is read. */
const SETTLE_MS = 4_000;
const TARGET_WAKE_VAD_MB = 80;
const ZIPFORMER = 'kws-zipformer-gigaspeech-3.3M-mobile';
/** The zipformer's files without its keyword lists, so it is found as a streaming ASR model only. */
const ZIPFORMER_ASR_FILES = [
  'tokens.txt',
  'bpe.model',
  'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
  'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
];

interface Stage {
  name: string;
  config?: Record<string, unknown>;
}

const runtime = (preload: boolean) => ({ runtime: { preload } });

async function bareNode(): Promise<{ rss: number; threads: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(SETTLE_MS / 4);
  const out = { rss: rssMb(child.pid!), threads: threadCount(child.pid!) };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
  return out;
}

export async function bench(): Promise<BenchResult[]> {
  if (!existsSync(sharedModel('openwakeword')) || !existsSync(sharedModel('silero-vad'))) {
    return [{ name: 'idle RSS', value: NaN, unit: '', note: 'skipped: shared openwakeword / silero-vad models missing' }];
  }
  const withAsr = existsSync(sharedModel(ZIPFORMER, 'tokens.txt'));
  const base = [
    { name: 'openwakeword', from: sharedModel('openwakeword') },
    { name: 'silero-vad', from: sharedModel('silero-vad') },
  ];
  const models = modelsFolder(withAsr ? [...base, { name: 'zipformer-asr', from: sharedModel(ZIPFORMER), files: ZIPFORMER_ASR_FILES }] : base);
  const daemon = (wake: boolean, vad: boolean, stt: boolean) => ({
    models_dir: models,
    tts: { enabled: false },
    wake: runtime(wake),
    vad: runtime(vad),
    stt: runtime(stt),
  });
  const stages: Stage[] = [
    { name: 'bare node' },
    { name: 'daemon, nothing loaded', config: daemon(false, false, false) },
    { name: 'daemon + wake', config: daemon(true, false, false) },
    { name: 'daemon + wake + VAD', config: daemon(true, true, false) },
    ...(withAsr ? [{ name: 'daemon + wake + VAD + ASR', config: daemon(true, true, true) }] : []),
  ];
  const rss = new Map<string, number[]>(stages.map((s) => [s.name, []]));
  const threads = new Map<string, number>();
  try {
    for (let i = 0; i < REPS; i++) {
      for (const stage of stages) {
        if (!stage.config) {
          const r = await bareNode();
          rss.get(stage.name)!.push(r.rss);
          threads.set(stage.name, r.threads);
          continue;
        }
        const probe = await startProbe(stage.config);
        try {
          await sleep(SETTLE_MS);
          rss.get(stage.name)!.push(rssMb(probe.child.pid!));
          threads.set(stage.name, threadCount(probe.child.pid!));
        } finally {
          await probe.stop();
        }
      }
    }
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
  return stages.map((stage) => {
    const values = rss.get(stage.name)!;
    const med = median(values);
    const goal = stage.name === 'daemon + wake + VAD';
    return {
      name: `idle RSS: ${stage.name}`,
      value: round(med),
      unit: 'MB',
      ...(goal ? { target: `≤ ${TARGET_WAKE_VAD_MB}`, pass: med <= TARGET_WAKE_VAD_MB } : {}),
      note: `median of ${REPS}, min ${round(Math.min(...values))} MB; ${threads.get(stage.name)} threads`,
    };
  });
}
