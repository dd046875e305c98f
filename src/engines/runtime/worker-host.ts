/**
 * Starts a worker thread that loads a native model and answers `ready` or `load-error`, then
 * relays its messages, and the ModelSlot that owns such a worker. Used for the native objects that
 * have only synchronous methods (sherpa-onnx recognisers, the Silero onnxruntime session).
 */
import { Worker } from 'node:worker_threads';
import { SatelliteError } from '../../util/errors.js';
import { ModelSlot } from './model-slot.js';
import type { EngineRuntimeOptions } from '../types.js';

export interface WorkerHostEvents<Reply> {
  onMessage(reply: Reply): void;
  /** The worker died outside a requested terminate (a crash). */
  onCrash(error: Error): void;
}

type Control = { type: 'ready' } | { type: 'load-error'; message: string };

export class WorkerHost<Request, Reply> {
  readonly #worker: Worker;
  #terminating = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Resolves once the worker reports its model loaded; rejects with SAT_ERR_MODEL_LOAD otherwise. */
  static start<Request, Reply>(url: URL, workerData: unknown, name: string, events: WorkerHostEvents<Reply>): Promise<WorkerHost<Request, Reply>> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(url, { workerData });
      const host = new WorkerHost<Request, Reply>(worker);
      let ready = false;
      const fail = (message: string, cause?: unknown) => reject(new SatelliteError('SAT_ERR_MODEL_LOAD', `${name}: ${message}`, { cause }));
      worker.on('message', (message: Reply | Control) => {
        const control = message as Control;
        if (!ready && control.type === 'ready') {
          ready = true;
          resolve(host);
        } else if (!ready && control.type === 'load-error') {
          host.#terminating = true;
          void worker.terminate();
          fail(control.message);
        } else if (ready) events.onMessage(message as Reply);
      });
      worker.on('error', (err) => {
        if (!ready) fail(err.message, err);
        else if (!host.#terminating) events.onCrash(err);
      });
      worker.on('exit', (code) => {
        if (!ready) fail(`worker exited with code ${code} while loading`);
        else if (!host.#terminating) events.onCrash(new Error(`worker exited with code ${code}`));
      });
    });
  }

  post(message: Request, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  async terminate(): Promise<void> {
    this.#terminating = true;
    await this.#worker.terminate();
  }
}

/** A model served by a worker thread: replies go to `dispatch`; a crash fails all pending work. */
export interface WorkerModel<Request, Reply> {
  host: WorkerHost<Request, Reply>;
  dispatch(reply: Reply): void;
  failAll(err: Error): void;
}

export interface WorkerModelSlotOptions<M> {
  name: string;
  runtime: EngineRuntimeOptions;
  /** The worker script; it gets `{ config, shared }` as its workerData. */
  worker: URL;
  config: unknown;
  /** Memory shared with the worker (e.g. a cancel board's buffer); the same for every load. */
  shared?: SharedArrayBuffer;
  /** A fresh model object for each load (its `host` is set once the worker is ready). */
  create: () => M;
  /** Runs before each load (file checks the native loader would crash on). */
  prepare?: () => Promise<void>;
}

/**
 * The slot of a worker-served model: the worker handles one message at a time, so one job runs at
 * once; unloading terminates the worker; a crash fails the pending work and unloads, so the next
 * use starts a fresh worker.
 */
export function workerModelSlot<M extends WorkerModel<unknown, unknown>>(options: WorkerModelSlotOptions<M>): ModelSlot<M> {
  const { name, runtime } = options;
  const slot: ModelSlot<M> = new ModelSlot<M>({
    name,
    load: async () => {
      await options.prepare?.();
      const model = options.create();
      model.host = await WorkerHost.start(options.worker, { config: options.config, shared: options.shared }, name, {
        onMessage: (reply) => model.dispatch(reply),
        onCrash: (err) => {
          model.failAll(new SatelliteError('SAT_ERR_ENGINE_FAILED', `${name} worker stopped: ${err.message}`, { cause: err }));
          void slot.unload();
        },
      });
      return model;
    },
    unload: (model) => model.host.terminate(),
    idleUnloadSeconds: runtime.idleUnloadSeconds,
    concurrency: 1,
    maxQueue: runtime.maxQueue,
  });
  return slot;
}
