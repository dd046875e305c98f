/** Test audio in the Realtime input format: 16-bit mono PCM at 24 kHz. */
import { floatToInt16Bytes, pcmToFloatMono, resample } from '../../../../src/audio/pcm.js';
import { readClip } from '../../../helpers/clips.js';

export const RATE = 24_000;

/** A shared test clip resampled to 24 kHz PCM16. */
export function clipPcm24(file: string): Buffer {
  const wav = readClip(file);
  const mono = pcmToFloatMono(wav.pcm, wav.format);
  return floatToInt16Bytes(resample(mono, wav.format.rate, RATE));
}

/** Silence to append after speech, so server VAD hears its end. */
export function silence(ms: number): Buffer {
  return Buffer.alloc(Math.round((RATE * ms) / 1000) * 2);
}
