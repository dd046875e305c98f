/**
 * The satellite's live diagnostics for the web view: the microphone's level and each wake word's
 * score. They cost almost nothing and only while someone listens on the bus: with no listener a
 * chunk costs one map lookup; with one, a pass over its samples (sum of squares and peak) and the
 * scores the wake engine computed anyway. Both go out at most every {@link DIAGNOSTICS_INTERVAL_MS}.
 */
import type { CoreBus } from '../../core/bus.js';

/** At most ten updates a second: enough for a meter, little for the bus and the browsers. */
export const DIAGNOSTICS_INTERVAL_MS = 100;
/** Reported for digital silence instead of -Infinity. */
export const SILENCE_DBFS = -120;
const INT16_FULL_SCALE = 32768;

export class SatelliteDiagnostics {
  #sumSquares = 0;
  #samples = 0;
  #peak = 0;
  #levelSince = 0;
  #scores: Record<string, number> = {};
  #scoresSince = 0;

  constructor(
    private readonly bus: CoreBus,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One chunk of the mic's 16-bit little-endian PCM. */
  micChunk(pcm: Buffer): void {
    if (!this.bus.hasListeners('mic-level')) {
      this.#samples = 0;
      return;
    }
    const count = pcm.length >> 1;
    let sum = 0;
    let peak = this.#peak;
    for (let i = 0; i < count; i++) {
      const s = pcm.readInt16LE(i << 1);
      sum += s * s;
      const a = s < 0 ? -s : s;
      if (a > peak) peak = a;
    }
    if (this.#samples === 0) this.#levelSince = this.now();
    this.#sumSquares += sum;
    this.#samples += count;
    this.#peak = peak;
    if (this.now() - this.#levelSince < DIAGNOSTICS_INTERVAL_MS) return;
    const rms = Math.sqrt(this.#sumSquares / this.#samples) / INT16_FULL_SCALE;
    this.bus.emit('mic-level', { rmsDbfs: dbfs(rms), peakDbfs: dbfs(this.#peak / INT16_FULL_SCALE), at: new Date() });
    this.#sumSquares = this.#samples = this.#peak = 0;
  }

  /** One hop's scores by word; the highest of each word over the interval is what is reported. */
  wakeScores(scores: Record<string, number>): void {
    if (!this.bus.hasListeners('wake-scores')) {
      this.#scores = {};
      return;
    }
    const empty = Object.keys(this.#scores).length === 0;
    if (empty) this.#scoresSince = this.now();
    for (const [word, score] of Object.entries(scores)) this.#scores[word] = Math.max(this.#scores[word] ?? 0, score);
    if (this.now() - this.#scoresSince < DIAGNOSTICS_INTERVAL_MS) return;
    this.bus.emit('wake-scores', { scores: this.#scores, at: new Date() });
    this.#scores = {};
  }
}

function dbfs(ratio: number): number {
  return ratio > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(ratio)) : SILENCE_DBFS;
}
