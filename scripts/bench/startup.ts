/**
 * Start-up: process start → first `describe` answered on the provider port, with the wake and VAD
 * models installed and preloaded (they load after `describe` is served), against a bare
 * `node -e 0`, interleaved so that load on the machine hits both alike.
 */
import { existsSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { sharedModel } from '../../test/helpers/system.js';
import { bareNodeMs, median, modelsFolder, round, startProbe } from './daemon-probe.js';
import type { BenchResult } from './types.js';

const REPS = 5;
const TARGET_MS = 500;

export async function bench(): Promise<BenchResult[]> {
  if (!existsSync(sharedModel('openwakeword')) || !existsSync(sharedModel('silero-vad'))) {
    return [{ name: 'start-up', value: NaN, unit: '', note: 'skipped: shared openwakeword / silero-vad models missing' }];
  }
  const models = modelsFolder([
    { name: 'openwakeword', from: sharedModel('openwakeword') },
    { name: 'silero-vad', from: sharedModel('silero-vad') },
  ]);
  const config = { models_dir: models, engine: { preload: true } };
  const daemon: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < REPS; i++) {
      bare.push(await bareNodeMs());
      const probe = await startProbe(config);
      daemon.push(probe.describeMs);
      await probe.stop();
    }
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
  const med = median(daemon);
  return [
    {
      name: 'start-up: process start → describe answered',
      value: round(med, 0),
      unit: 'ms',
      target: `≤ ${TARGET_MS}`,
      pass: med <= TARGET_MS,
      note: `median of ${REPS}, min ${round(Math.min(...daemon), 0)} ms; wake + VAD installed with preload (loaded after describe)`,
    },
    {
      name: 'start-up: bare `node -e 0`',
      value: round(median(bare), 0),
      unit: 'ms',
      note: `median of ${REPS}, min ${round(Math.min(...bare), 0)} ms, interleaved with the daemon runs`,
    },
    {
      name: 'start-up: daemon / bare node',
      value: round(med / median(bare), 2),
      unit: '×',
      note: `min ${round(Math.min(...daemon) / Math.min(...bare), 2)}×`,
    },
  ];
}
