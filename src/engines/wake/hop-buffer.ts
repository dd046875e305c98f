/**
 * Collects float samples of any chunk size into fixed hops, and serialises the work on them:
 * callers may push without awaiting and hops are processed one after another in order. When
 * callers push faster than hops are processed, audio from earlier pushes still waiting beyond
 * `maxBacklogSamples` is dropped (oldest first) rather than queued without bound; one large push
 * on its own is always processed whole.
 */

interface Batch {
  hops: Float32Array[];
  next: number;
}

export class HopBuffer {
  #pending: Float32Array;
  #length = 0;
  #chain: Promise<void> = Promise.resolve();
  #generation = 0;
  #dropped = 0;
  readonly #waiting: Batch[] = [];

  constructor(
    readonly hopSamples: number,
    readonly maxBacklogSamples: number,
    private readonly processHop: (hop: Float32Array) => Promise<void>,
  ) {
    this.#pending = new Float32Array(hopSamples * 4);
  }

  /** Samples dropped so far because processing fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  push(samples: Float32Array): Promise<void> {
    this.#append(samples);
    const hops: Float32Array[] = [];
    let used = 0;
    while (this.#length - used >= this.hopSamples) {
      hops.push(this.#pending.slice(used, used + this.hopSamples));
      used += this.hopSamples;
    }
    if (used > 0) {
      this.#pending.copyWithin(0, used, this.#length);
      this.#length -= used;
    }
    if (hops.length === 0) return this.#chain;
    this.#shedBacklog();
    const batch: Batch = { hops, next: 0 };
    this.#waiting.push(batch);
    const generation = this.#generation;
    const run = this.#chain.then(async () => {
      while (batch.next < batch.hops.length && generation === this.#generation) {
        const hop = batch.hops[batch.next++]!;
        await this.processHop(hop);
      }
      const at = this.#waiting.indexOf(batch);
      if (at >= 0) this.#waiting.splice(at, 1);
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Forgets buffered audio; hops of earlier pushes still queued are skipped. `onReset` runs once
   * a hop in flight has finished and before any hop pushed later, so state can be cleared safely.
   */
  reset(onReset?: () => void): void {
    this.#generation++;
    this.#length = 0;
    this.#waiting.length = 0;
    this.#chain = this.#chain.then(() => {
      this.#dropped = 0;
      onReset?.();
    });
  }

  /** Resolves once every queued hop is done. */
  idle(): Promise<void> {
    return this.#chain;
  }

  #shedBacklog(): void {
    let backlog = 0;
    for (const b of this.#waiting) backlog += (b.hops.length - b.next) * this.hopSamples;
    for (const b of this.#waiting) {
      if (backlog <= this.maxBacklogSamples) break;
      const skip = Math.min(b.hops.length - b.next, Math.ceil((backlog - this.maxBacklogSamples) / this.hopSamples));
      b.next += skip;
      backlog -= skip * this.hopSamples;
      this.#dropped += skip * this.hopSamples;
    }
  }

  #append(input: Float32Array): void {
    const needed = this.#length + input.length;
    if (needed > this.#pending.length) {
      const grown = new Float32Array(Math.max(needed, this.#pending.length * 2));
      grown.set(this.#pending.subarray(0, this.#length));
      this.#pending = grown;
    }
    this.#pending.set(input, this.#length);
    this.#length += input.length;
  }
}
