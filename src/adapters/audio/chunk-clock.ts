/**
 * Releases fixed-size chunks on a real-time clock. Used for devices without a clock (ALSA's file
 * and null plugins), which hand out audio as fast as it is read: the reader is paused while
 * enough is buffered, and chunks leave at their nominal rate, as from a real microphone.
 */

/** Chunks buffered before the reader is paused. */
export const CLOCK_BUFFER_CHUNKS = 4;

export class ChunkClock {
  #buffer: Buffer[] = [];
  #startedAt: number | undefined;
  #released = 0;
  #timer: NodeJS.Timeout | undefined;
  #paused = false;

  constructor(
    private readonly chunkMs: number,
    private readonly emit: (chunk: Buffer) => void,
    private readonly reader: { pause(): void; resume(): void },
  ) {}

  push(chunk: Buffer): void {
    this.#buffer.push(chunk);
    if (this.#buffer.length >= CLOCK_BUFFER_CHUNKS && !this.#paused) {
      this.#paused = true;
      this.reader.pause();
    }
    if (this.#timer) return;
    const now = performance.now();
    // First chunk, or the reader fell more than a chunk behind: restart the clock instead of bursting.
    if (this.#startedAt === undefined || now - this.#slot(this.#released) > this.chunkMs) {
      this.#startedAt = now;
      this.#released = 0;
    }
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.#slot(this.#released) - now));
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buffer = [];
  }

  /** When chunk number `n` (from 0) is due. */
  #slot(n: number): number {
    return (this.#startedAt ?? 0) + n * this.chunkMs;
  }

  #tick(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#buffer.length > 0 && this.#slot(this.#released) <= now) {
      this.#released++;
      this.emit(this.#buffer.shift()!);
    }
    if (this.#paused && this.#buffer.length < CLOCK_BUFFER_CHUNKS / 2) {
      this.#paused = false;
      this.reader.resume();
    }
    // With nothing buffered the next push schedules the clock again.
    if (this.#buffer.length > 0) this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.#slot(this.#released) - now));
  }
}
