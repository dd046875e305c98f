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
    if (this.#startedAt === undefined) {
      this.#startedAt = performance.now();
      this.#released = 0;
      this.#tick();
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buffer = [];
  }

  #tick(): void {
    this.#timer = undefined;
    const startedAt = this.#startedAt ?? performance.now();
    const due = Math.floor((performance.now() - startedAt) / this.chunkMs) + 1;
    while (this.#released < due && this.#buffer.length > 0) {
      this.#released++;
      this.emit(this.#buffer.shift()!);
    }
    if (this.#paused && this.#buffer.length < CLOCK_BUFFER_CHUNKS / 2) {
      this.#paused = false;
      this.reader.resume();
    }
    if (this.#buffer.length === 0) {
      // Drained (or the reader fell behind): the clock restarts with the next chunk, never bursting.
      this.#startedAt = undefined;
      return;
    }
    const next = startedAt + this.#released * this.chunkMs - performance.now();
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next));
  }
}
