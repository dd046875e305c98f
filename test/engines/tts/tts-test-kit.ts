/** Shared bits of the TTS engine tests: temp folders, a quiet logger, collecting audio. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/util/logger.js';
import type { EngineRuntimeOptions } from '../../../src/engines/types.js';
import type { TtsEngine, TtsRequest } from '../../../src/engines/tts/tts.js';
import { systemEspeakDataDir } from '../../../scripts/fixtures/tts-fixtures.js';

export const quietLog = createLogger({ level: 'silent' });

export const RUNTIME: EngineRuntimeOptions = { provider: 'cpu', numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };

/** Sentences for round trips through the recogniser. */
export const SENTENCES = [
  'The weather today is sunny and warm.',
  'Please turn off the kitchen lights.',
  'My favourite colour is blue.',
  'The washing machine has finished.',
  'It is seven in the morning.',
  'Open the garage door.',
  'There are three apples on the table.',
];

export const ESPEAK_DATA = systemEspeakDataDir();

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Spoken {
  samples: Float32Array;
  sampleRate: number;
  calls: number;
}

/** Runs one synthesis and joins the streamed pieces. */
export async function speak(engine: TtsEngine, request: Omit<TtsRequest, 'onAudio'>): Promise<Spoken> {
  const parts: Float32Array[] = [];
  const { sampleRate } = await engine.synthesize({ ...request, onAudio: (s) => parts.push(s) });
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  return { samples, sampleRate, calls: parts.length };
}

export function peak(samples: Float32Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}
