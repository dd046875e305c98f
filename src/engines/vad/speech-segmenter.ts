/**
 * Turns per-window speech probabilities into speech segments with hysteresis: speech starts at a
 * window at or above `threshold` and is confirmed once it has lasted `minSpeechSeconds`; it ends
 * after `minSilenceSeconds` of windows below `threshold - NEGATIVE_MARGIN`. Pure: no I/O, no clock.
 */
import type { VadSegment } from './vad.js';

/** How far below the threshold a window must fall to count as silence (Silero's convention). */
export const NEGATIVE_MARGIN = 0.15;
const MIN_NEGATIVE_THRESHOLD = 0.01;
/** Float slack when comparing accumulated window times. */
const EPSILON = 1e-9;

export interface SegmenterOptions {
  threshold: number;
  minSilenceSeconds: number;
  minSpeechSeconds: number;
  /** Duration of one probability window. */
  windowSeconds: number;
}

export type SegmenterEvent = { type: 'start'; start: number } | { type: 'end'; segment: VadSegment };

export class SpeechSegmenter {
  readonly #o: SegmenterOptions;
  readonly #negative: number;
  #windows = 0;
  #triggered = false;
  #confirmed = false;
  #start = 0;
  #silenceFrom: number | undefined;
  readonly segments: VadSegment[] = [];
  probability = 0;

  constructor(options: SegmenterOptions) {
    this.#o = options;
    this.#negative = Math.max(options.threshold - NEGATIVE_MARGIN, MIN_NEGATIVE_THRESHOLD);
  }

  /** True while confirmed speech is open. */
  get speaking(): boolean {
    return this.#confirmed;
  }

  /** Seconds of audio seen. */
  get time(): number {
    return this.#windows * this.#o.windowSeconds;
  }

  push(probability: number): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    const { threshold, windowSeconds, minSpeechSeconds, minSilenceSeconds } = this.#o;
    const t = this.#windows * windowSeconds;
    this.#windows++;
    const tEnd = t + windowSeconds;
    this.probability = probability;
    if (probability >= threshold) {
      this.#silenceFrom = undefined;
      if (!this.#triggered) {
        this.#triggered = true;
        this.#start = t;
      }
    } else if (this.#triggered && probability < this.#negative) {
      this.#silenceFrom ??= t;
      // Like sherpa-onnx, the window that completes the silence is not counted in it.
      if (t - this.#silenceFrom >= minSilenceSeconds - EPSILON) this.#close(this.#silenceFrom, events);
      return events;
    }
    if (this.#triggered && !this.#confirmed && tEnd - this.#start >= minSpeechSeconds) {
      this.#confirmed = true;
      events.push({ type: 'start', start: this.#start });
    }
    return events;
  }

  /** End of input: closes an open segment at the current time. */
  flush(): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    if (this.#triggered) this.#close(this.#silenceFrom ?? this.time, events);
    return events;
  }

  #close(end: number, events: SegmenterEvent[]): void {
    if (this.#confirmed) {
      const segment = { start: this.#start, end };
      this.segments.push(segment);
      events.push({ type: 'end', segment });
    }
    this.#triggered = false;
    this.#confirmed = false;
    this.#silenceFrom = undefined;
  }
}

/** Fraction of `duration` covered by `segments`. */
export function speechFraction(segments: readonly VadSegment[], duration: number): number {
  if (duration <= 0) return 0;
  return segments.reduce((sum, s) => sum + (s.end - s.start), 0) / duration;
}
