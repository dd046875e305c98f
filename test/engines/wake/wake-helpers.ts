/** Shared bits of the wake-engine tests: runtime options, padded clips, shared model folders. */
import { existsSync } from 'node:fs';
import { pcmToFloatMono } from '../../../src/audio/pcm.js';
import type { EngineRuntimeOptions } from '../../../src/engines/types.js';
import type { WakeDetection, WakeEngine } from '../../../src/engines/wake/wake.js';
import { readClip } from '../../helpers/clips.js';
import { sharedModel } from '../../helpers/system.js';

export const SAMPLE_RATE = 16_000;
export const TEST_RUNTIME: EngineRuntimeOptions = { provider: 'cpu', numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
export const OWW_DIR = sharedModel('openwakeword');
export const KWS_EN_DIR = sharedModel('kws-zipformer-gigaspeech-3.3M-mobile');
export const KWS_ZH_DIR = sharedModel('kws-zipformer-wenetspeech-3.3M-mobile');

export function hasModel(dir: string): boolean {
  return existsSync(dir);
}

/** A test clip as 16 kHz float with `padSeconds` of silence on each side. */
export function paddedClip(file: string, padSeconds = 1): Float32Array {
  const wav = readClip(file);
  if (wav.format.rate !== SAMPLE_RATE) throw new Error(`${file} is not 16 kHz`);
  const samples = pcmToFloatMono(wav.pcm, wav.format);
  const pad = Math.round(padSeconds * SAMPLE_RATE);
  const out = new Float32Array(samples.length + 2 * pad);
  out.set(samples, pad);
  return out;
}

/** Streams samples through a fresh session in chunks of `chunk` and returns every detection. */
export async function detectAll(engine: WakeEngine, names: string[], samples: Float32Array, chunk = 1_600): Promise<WakeDetection[]> {
  const found: WakeDetection[] = [];
  const session = await engine.createSession({ names, onDetection: (d) => found.push(d) });
  try {
    for (let at = 0; at < samples.length; at += chunk) await session.accept(samples.subarray(at, at + chunk));
  } finally {
    session.close();
  }
  return found;
}
