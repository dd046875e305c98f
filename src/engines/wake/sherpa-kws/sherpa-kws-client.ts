/**
 * The daemon side of one keyword-spotter worker thread: starts it, waits until the spotter has
 * loaded, and turns `accept` messages into promises answered in order. A worker that dies fails
 * every pending request with a coded error instead of leaving callers waiting.
 */
import { Worker } from 'node:worker_threads';
import { SatelliteError } from '../../../util/errors.js';
import type { FromWorker, KwsHit, SpotterConfig, ToWorker } from './sherpa-kws-protocol.js';

/** How long loading a spotter may take before the worker is given up on. */
export const KWS_LOAD_TIMEOUT_MS = 60_000;

const WORKER_URL = new URL('./sherpa-kws-worker.js', import.meta.url);
/** Flags of the parent that make no sense for a worker (`node --input-type=module -e …`). */
const PARENT_ONLY_FLAGS = /^--(input-type|eval|print)\b/;

export class KwsWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (hits: KwsHit[]) => void; reject: (err: Error) => void }>();
  #seq = 0;
  #dead: Error | undefined;
  #onDeath: ((err: Error) => void) | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Spawns a worker and resolves once its spotter is loaded. */
  static async start(config: SpotterConfig, name: string): Promise<KwsWorkerClient> {
    const execArgv = process.execArgv.filter((a) => !PARENT_ONLY_FLAGS.test(a));
    const worker = new Worker(WORKER_URL, { workerData: { config }, name, execArgv });
    const client = new KwsWorkerClient(worker);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer);
        void worker.terminate();
        reject(new SatelliteError('SAT_ERR_MODEL_LOAD', `keyword spotter ${name}: ${err.message}`, { cause: err }));
      };
      const timer = setTimeout(() => fail(new Error(`not loaded after ${KWS_LOAD_TIMEOUT_MS} ms`)), KWS_LOAD_TIMEOUT_MS);
      const first = (message: FromWorker) => {
        worker.off('message', first);
        if (message.op === 'ready') {
          clearTimeout(timer);
          resolve();
        } else fail(new Error(message.op === 'failed' ? message.message : `unexpected ${message.op}`));
      };
      worker.on('message', first);
      worker.once('error', fail);
    });
    client.#listen();
    worker.unref(); // an idle spotter never holds the process open
    return client;
  }

  /** Called once when the worker stops unexpectedly. */
  onDeath(fn: (err: Error) => void): void {
    this.#onDeath = fn;
  }

  open(id: number): void {
    this.#post({ op: 'open', id });
  }

  reset(id: number): void {
    this.#post({ op: 'reset', id });
  }

  close(id: number): void {
    this.#post({ op: 'close', id });
  }

  /** Sends audio (the array is transferred, so callers pass a copy) and resolves with the hits. */
  accept(id: number, samples: Float32Array): Promise<KwsHit[]> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref(); // an awaited reply keeps the process alive
      this.#worker.postMessage({ op: 'accept', id, seq, samples } satisfies ToWorker, [samples.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.#die(new SatelliteError('SAT_ERR_ENGINE_CLOSED', 'keyword spotter closed'), false);
    await this.#worker.terminate();
  }

  #post(message: ToWorker): void {
    if (!this.#dead) this.#worker.postMessage(message);
  }

  #listen(): void {
    this.#worker.on('message', (message: FromWorker) => {
      if (message.op !== 'accepted' && message.op !== 'error') return;
      const waiter = this.#pending.get(message.seq);
      if (!waiter) return;
      this.#pending.delete(message.seq);
      if (this.#pending.size === 0) this.#worker.unref();
      if (message.op === 'accepted') waiter.resolve(message.hits);
      else waiter.reject(new SatelliteError('SAT_ERR_WAKE_FAILED', message.message));
    });
    this.#worker.on('error', (err) => this.#die(new SatelliteError('SAT_ERR_WAKE_FAILED', `keyword spotter failed: ${err.message}`, { cause: err }), true));
    this.#worker.on('exit', (code) => this.#die(new SatelliteError('SAT_ERR_WAKE_FAILED', `keyword spotter stopped (exit ${code})`), true));
  }

  #die(err: Error, unexpected: boolean): void {
    if (this.#dead) return;
    this.#dead = err;
    for (const waiter of this.#pending.values()) waiter.reject(err);
    this.#pending.clear();
    if (unexpected) this.#onDeath?.(err);
  }
}
