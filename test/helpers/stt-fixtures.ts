/** Shared pieces of the speech-to-text tests: the streaming model, clip audio, format variants. */
import { pcmToFloatMono, resample, floatToInt16Bytes } from '../../src/audio/pcm.js';
import { readClip, referenceClips, type Clip } from './clips.js';
import { hasSharedModels, sharedModel } from './system.js';
import { existsSync } from 'node:fs';

export const ZIPFORMER = 'kws-zipformer-gigaspeech-3.3M-mobile';

export function hasZipformer(): boolean {
  return hasSharedModels() && existsSync(sharedModel(ZIPFORMER, 'tokens.txt'));
}

export function hasSilero(): boolean {
  return existsSync(sharedModel('silero-vad', 'silero_vad.onnx'));
}

/** Clip as 16 kHz mono float32. */
export function clipSamples(file: string): Float32Array {
  const wav = readClip(file);
  return pcmToFloatMono(wav.pcm, wav.format);
}

/** Clip re-encoded as 16-bit PCM at `rate` with `channels` (duplicated) channels. */
export function clipAs(file: string, rate: number, channels: number): { pcm: Buffer; format: { rate: number; width: number; channels: number } } {
  const mono = resample(clipSamples(file), 16_000, rate);
  const bytes = floatToInt16Bytes(mono);
  if (channels === 1) return { pcm: bytes, format: { rate, width: 2, channels } };
  const out = Buffer.alloc(bytes.length * channels);
  for (let i = 0; i < mono.length; i++) for (let c = 0; c < channels; c++) bytes.copy(out, (i * channels + c) * 2, i * 2, i * 2 + 2);
  return { pcm: out, format: { rate, width: 2, channels } };
}

export function clips(): Clip[] {
  return referenceClips();
}
