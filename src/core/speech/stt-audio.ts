/** Small pure helpers on float32 sample buffers used by speech-to-text sessions. */
import type { VadSegment } from '../../engines/vad/vad.js';

/** Audio kept on each side of the detected speech when trimming, so word edges survive. */
export const TRIM_PAD_SECONDS = 0.3;

/**
 * Cuts leading and trailing silence: keeps from the first segment's start to the last segment's
 * end, padded. With no segment (VAD heard nothing) the audio is kept whole rather than dropped.
 */
export function trimToSpeech(audio: Float32Array, rate: number, segments: readonly VadSegment[]): Float32Array {
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (!first || !last) return audio;
  const from = Math.max(0, Math.floor((first.start - TRIM_PAD_SECONDS) * rate));
  const to = Math.min(audio.length, Math.ceil((last.end + TRIM_PAD_SECONDS) * rate));
  return to > from ? audio.subarray(from, to) : audio;
}
