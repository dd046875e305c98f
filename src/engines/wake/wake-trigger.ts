/**
 * Turns a stream of per-hop scores for one wake word into detections: the score must reach the
 * threshold on `triggerLevel` consecutive hops, and after a detection the word stays quiet for
 * the refractory period so one utterance fires once. Pure; every backend uses it per word.
 */

export interface WakeTuning {
  /** Score in [0, 1] a hop must reach. */
  threshold: number;
  /** Consecutive hops at or above the threshold needed to fire. */
  triggerLevel: number;
  /** Milliseconds of audio after a detection during which the word cannot fire again. */
  refractoryMs: number;
}

export const DEFAULT_WAKE_TUNING: Readonly<WakeTuning> = Object.freeze({ threshold: 0.5, triggerLevel: 1, refractoryMs: 2_000 });

export class WakeTrigger {
  #run = 0;
  #quietUntilMs = -Infinity;

  constructor(readonly tuning: Readonly<WakeTuning>) {}

  /** Feeds the score of the hop ending at `atMs` (audio time); true when the word fires. */
  update(score: number, atMs: number): boolean {
    if (atMs < this.#quietUntilMs) {
      this.#run = 0;
      return false;
    }
    if (!(score >= this.tuning.threshold)) {
      this.#run = 0;
      return false;
    }
    this.#run++;
    if (this.#run < Math.max(1, this.tuning.triggerLevel)) return false;
    this.#run = 0;
    this.#quietUntilMs = atMs + this.tuning.refractoryMs;
    return true;
  }

  reset(): void {
    this.#run = 0;
    this.#quietUntilMs = -Infinity;
  }
}
