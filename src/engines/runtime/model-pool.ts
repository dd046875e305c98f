/**
 * Several copies of one model, each in its own slot (and worker thread), so that sessions of the
 * same model decode in parallel up to the configured count. Copies load on demand: a further
 * copy starts only when every loaded one is in use, and each unloads on its own idle timer, so an
 * idle daemon holds one copy at most (none after the idle unload).
 */
import type { ModelSlot } from './model-slot.js';

export class ModelPool<T> {
  readonly #slots: ReadonlyArray<ModelSlot<T>>;
  /** Requests and leases per copy, counted from the moment a copy is picked (also while it loads). */
  readonly #users: number[];

  constructor(slots: ReadonlyArray<ModelSlot<T>>) {
    if (slots.length === 0) throw new RangeError('a model pool needs at least one slot');
    this.#slots = slots;
    this.#users = slots.map(() => 0);
  }

  get size(): number {
    return this.#slots.length;
  }

  /** True while any copy is in memory. */
  get loaded(): boolean {
    return this.#slots.some((s) => s.loaded);
  }

  /** Copies in memory now (stats, tests). */
  get loadedCopies(): number {
    return this.#slots.filter((s) => s.loaded).length;
  }

  /** Loads of every copy together (stats, tests). */
  get loadCount(): number {
    return this.#slots.reduce((n, s) => n + s.loadCount, 0);
  }

  /** Loads the first copy (preload, benchmarks); more copies load when requests overlap. */
  get(): Promise<T> {
    return this.#slots[0]!.get();
  }

  /** Runs `job` on the least used copy (see {@link ModelSlot.run}: bounded queue, abort drops it unrun). */
  async run<R>(job: (model: T) => Promise<R>, signal?: AbortSignal): Promise<R> {
    const at = this.#pick();
    this.#users[at]!++;
    try {
      return await this.#slots[at]!.run(job, signal);
    } finally {
      this.#users[at]!--;
    }
  }

  /** Holds the least used copy for a long-lived stream (see {@link ModelSlot.lease}). */
  async lease(): Promise<{ model: T; release: () => void }> {
    const at = this.#pick();
    this.#users[at]!++;
    let held: { model: T; release: () => void };
    try {
      held = await this.#slots[at]!.lease();
    } catch (err) {
      this.#users[at]!--;
      throw err;
    }
    let released = false;
    return {
      model: held.model,
      release: () => {
        if (released) return;
        released = true;
        this.#users[at]!--;
        held.release();
      },
    };
  }

  async unload(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.unload()));
  }

  /** The copy with the fewest users; on a tie a loaded copy (no load wait), then the first. */
  #pick(): number {
    let best = 0;
    for (let i = 1; i < this.#slots.length; i++) {
      const users = this.#users[i]!;
      const bestUsers = this.#users[best]!;
      if (users < bestUsers || (users === bestUsers && this.#slots[i]!.loaded && !this.#slots[best]!.loaded)) best = i;
    }
    return best;
  }
}
