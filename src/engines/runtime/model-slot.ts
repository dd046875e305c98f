/**
 * Lifecycle of one loaded model: lazy load shared by concurrent first users, optional preload,
 * unload after an idle period, and a bounded queue of work so a busy engine refuses instead of
 * piling up. Backends wrap their native handle in one of these.
 */
import { SatelliteError } from '../../util/errors.js';
import { onAbort } from '../../util/abort.js';

export interface ModelSlotOptions<T> {
  name: string;
  load: () => Promise<T>;
  unload?: (model: T) => Promise<void> | void;
  /** Seconds without use before the model is released; 0 keeps it loaded. */
  idleUnloadSeconds: number;
  /** Jobs allowed to run at once on this model. */
  concurrency: number;
  /** Jobs allowed to wait; more are refused with SAT_ERR_ENGINE_BUSY. */
  maxQueue: number;
  onEvent?: (event: 'loaded' | 'unloaded' | 'load-failed', detail?: unknown) => void;
  /** Injectable timers for tests. */
  setTimer?: (fn: () => void, ms: number) => { unref?: () => void };
  clearTimer?: (timer: unknown) => void;
}

export class ModelSlot<T> {
  readonly #options: ModelSlotOptions<T>;
  #model: T | undefined;
  #loading: Promise<T> | undefined;
  #running = 0;
  #leases = 0;
  #waiting: Array<() => void> = [];
  #idleTimer: unknown;
  #loadCount = 0;

  constructor(options: ModelSlotOptions<T>) {
    this.#options = options;
  }

  get loaded(): boolean {
    return this.#model !== undefined;
  }

  /** How many times the model was loaded (stats and tests). */
  get loadCount(): number {
    return this.#loadCount;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Loads now (preload); concurrent callers share one load. */
  async get(): Promise<T> {
    if (this.#model !== undefined) return this.#model;
    if (!this.#loading) {
      this.#loading = this.#options
        .load()
        .then((model) => {
          this.#model = model;
          this.#loadCount++;
          this.#options.onEvent?.('loaded');
          this.#armIdle();
          return model;
        })
        .catch((err: unknown) => {
          this.#options.onEvent?.('load-failed', err);
          throw err;
        })
        .finally(() => {
          this.#loading = undefined;
        });
    }
    return this.#loading;
  }

  /**
   * Runs `job` with the model once a slot is free; refuses when the queue is full. A job whose
   * `signal` aborts while it waits leaves the queue at once (SAT_ERR_CANCELLED) and never runs.
   */
  async run<R>(job: (model: T) => Promise<R>, signal?: AbortSignal): Promise<R> {
    await this.#acquire(signal);
    try {
      if (signal?.aborted) throw cancelled();
      const model = await this.get();
      this.#clearIdle();
      return await job(model);
    } finally {
      this.#release();
    }
  }

  /**
   * Holds the model for a long-lived user (a stream). The model will not be unloaded while
   * leased; the returned function releases it.
   */
  async lease(): Promise<{ model: T; release: () => void }> {
    const model = await this.get();
    this.#leases++;
    this.#clearIdle();
    let released = false;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        this.#leases--;
        this.#armIdle();
      },
    };
  }

  async unload(): Promise<void> {
    this.#clearIdle();
    if (this.#loading) await this.#loading.catch(() => undefined);
    const model = this.#model;
    if (model === undefined) return;
    this.#model = undefined;
    await this.#options.unload?.(model);
    this.#options.onEvent?.('unloaded');
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw cancelled();
    if (this.#running < this.#options.concurrency) {
      this.#running++;
      return;
    }
    if (this.#waiting.length >= this.#options.maxQueue) {
      throw new SatelliteError('SAT_ERR_ENGINE_BUSY', `${this.#options.name} is busy (${this.#waiting.length} requests waiting)`);
    }
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        detach();
        resolve();
      };
      const detach = onAbort(signal, () => {
        const at = this.#waiting.indexOf(turn);
        if (at < 0) return; // already given the slot: run() sees the abort
        this.#waiting.splice(at, 1);
        reject(cancelled());
      });
      this.#waiting.push(turn);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else {
      this.#running--;
      this.#armIdle();
    }
  }

  #armIdle(): void {
    this.#clearIdle();
    const seconds = this.#options.idleUnloadSeconds;
    if (seconds <= 0 || this.#running > 0 || this.#leases > 0 || this.#model === undefined) return;
    const set = this.#options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    const timer = set(() => void this.unload(), seconds * 1000);
    timer.unref?.();
    this.#idleTimer = timer;
  }

  #clearIdle(): void {
    if (this.#idleTimer === undefined) return;
    (this.#options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

function cancelled(): SatelliteError {
  return new SatelliteError('SAT_ERR_CANCELLED', 'the request was cancelled before its turn');
}
