/**
 * The daemon side of one keyword-spotter worker thread, on the shared worker host (load timeout,
 * crash report, graceful stop): turns `accept` messages into promises answered in order. A worker
 * that dies fails every pending request with a coded error instead of leaving callers waiting.
 */
import { SatelliteError } from '../../../util/errors.js';
import type { FromWorker, KwsHit, SpotterConfig, ToWorker } from './sherpa-kws-protocol.js';
import { WorkerHost } from '../../runtime/worker-host.js';

const WORKER_URL = new URL('./sherpa-kws-worker.js', import.meta.url);

export class KwsWorkerClient {
  readonly #pending = new Map<number, { resolve: (hits: KwsHit[]) => void; reject: (err: Error) => void }>();
  #host!: WorkerHost<ToWorker, FromWorker>;
  #seq = 0;
  #dead: Error | undefined;
  #onDeath: ((err: Error) => void) | undefined;

  private constructor() {}

  /** Spawns a worker and resolves once its spotter is loaded (SAT_ERR_MODEL_LOAD otherwise). */
  static async start(config: SpotterConfig, name: string): Promise<KwsWorkerClient> {
    const client = new KwsWorkerClient();
    client.#host = await WorkerHost.start<ToWorker, FromWorker>(WORKER_URL, { config }, `keyword spotter ${name}`, {
      onMessage: (message) => client.#reply(message),
      onCrash: (err) => client.#die(new SatelliteError('SAT_ERR_WAKE_FAILED', `keyword spotter stopped: ${err.message}`, { cause: err }), true),
    });
    client.#host.unref(); // an idle spotter never holds the process open
    return client;
  }

  /** Called once when the worker stops unexpectedly. */
  onDeath(fn: (err: Error) => void): void {
    this.#onDeath = fn;
  }

  open(id: number): void {
    this.#post({ type: 'open', id });
  }

  reset(id: number): void {
    this.#post({ type: 'reset', id });
  }

  close(id: number): void {
    this.#post({ type: 'close', id });
  }

  /** Sends audio (the array is transferred, so callers pass a copy) and resolves with the hits. */
  accept(id: number, samples: Float32Array): Promise<KwsHit[]> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      if (this.#pending.size === 1) this.#host.ref(); // an awaited reply keeps the process alive
      this.#host.post({ type: 'accept', id, seq, samples }, [samples.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.#die(new SatelliteError('SAT_ERR_ENGINE_CLOSED', 'keyword spotter closed'), false);
    await this.#host.terminate();
  }

  #post(message: ToWorker): void {
    if (!this.#dead) this.#host.post(message);
  }

  #reply(message: FromWorker): void {
    if (message.type !== 'accepted' && message.type !== 'error') return;
    const waiter = this.#pending.get(message.seq);
    if (!waiter) return;
    this.#pending.delete(message.seq);
    if (this.#pending.size === 0) this.#host.unref();
    if (message.type === 'accepted') waiter.resolve(message.hits);
    else waiter.reject(new SatelliteError('SAT_ERR_WAKE_FAILED', message.message));
  }

  #die(err: Error, unexpected: boolean): void {
    if (this.#dead) return;
    this.#dead = err;
    for (const waiter of this.#pending.values()) waiter.reject(err);
    this.#pending.clear();
    if (unexpected) this.#onDeath?.(err);
  }
}
