/**
 * The one worker host of every worker-backed engine (sherpa-onnx recognisers and keyword spotter,
 * the Silero onnxruntime session: native objects with only synchronous methods): starts a worker
 * thread that loads a native model and answers `ready` or `load-error` within a load timeout,
 * relays its messages, reports a crash, and stops it gracefully. Also the ModelSlot that owns
 * such a worker.
 */
import { Worker } from 'node:worker_threads';
import { SatelliteError } from '../../util/errors.js';
import { ModelSlot } from './model-slot.js';
import { ModelPool } from './model-pool.js';
import type { EngineRuntimeOptions } from '../types.js';

export interface WorkerHostEvents<Reply> {
  onMessage(reply: Reply): void;
  /** The worker died outside a requested terminate (a crash). */
  onCrash(error: Error): void;
}

type Control = { type: 'ready' } | { type: 'load-error'; message: string };

/** How long loading a model in its worker may take before the worker is given up on. */
export const WORKER_LOAD_TIMEOUT_MS = 120_000;

/** Flags of the parent that make no sense for a worker (`node --input-type=module -e …`). */
const PARENT_ONLY_FLAGS = /^--(input-type|eval|print)\b/;

/**
 * How long a worker may take to finish its current piece of native work and exit on its own.
 * Terminating a thread while it is inside native code (a decode, an onnxruntime run) can abort the
 * whole process, so workers are asked first and terminated only past this.
 */
export const WORKER_STOP_GRACE_MS = 3_000;

/** What a worker receives when it should exit: it finishes the message in hand, then exits. */
export const STOP_MESSAGE = { type: 'stop' } as const;

/** Sends `message` (the worker's stop request) and resolves once the thread has exited. */
export async function stopWorker(worker: Worker, message: unknown): Promise<void> {
  if (worker.threadId < 0) return; // already gone
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(message);
  const timer = setTimeout(() => void worker.terminate(), WORKER_STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

export class WorkerHost<Request, Reply> {
  readonly #worker: Worker;
  #terminating = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /**
   * Resolves once the worker reports its model loaded; rejects with SAT_ERR_MODEL_LOAD when it
   * reports a failure, dies, or has not loaded within `loadTimeoutMs`.
   */
  static start<Request, Reply>(
    url: URL,
    workerData: unknown,
    name: string,
    events: WorkerHostEvents<Reply>,
    loadTimeoutMs = WORKER_LOAD_TIMEOUT_MS,
  ): Promise<WorkerHost<Request, Reply>> {
    return new Promise((resolve, reject) => {
      const execArgv = process.execArgv.filter((a) => !PARENT_ONLY_FLAGS.test(a));
      const worker = new Worker(url, { workerData, name, execArgv });
      const host = new WorkerHost<Request, Reply>(worker);
      let ready = false;
      const fail = (message: string, cause?: unknown) => {
        clearTimeout(timer);
        reject(new SatelliteError('SAT_ERR_MODEL_LOAD', `${name}: ${message}`, { cause }));
      };
      const timer = setTimeout(() => {
        host.#terminating = true;
        void worker.terminate();
        fail(`not loaded after ${loadTimeoutMs} ms`);
      }, loadTimeoutMs);
      worker.on('message', (message: Reply | Control) => {
        const control = message as Control;
        if (!ready && control.type === 'ready') {
          ready = true;
          clearTimeout(timer);
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

  /** Lets the process exit while the worker idles (an engine that keeps a worker ref'd only while replies are due). */
  unref(): void {
    this.#worker.unref();
  }

  ref(): void {
    this.#worker.ref();
  }

  post(message: Request, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  /** Asks the worker to finish what it is doing and exit; terminates it if it has not within the grace period. */
  async terminate(): Promise<void> {
    this.#terminating = true;
    await stopWorker(this.#worker, STOP_MESSAGE);
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

/** `size` copies of a worker-served model (at least one), each its own worker: parallel decoding across sessions. */
export function workerModelPool<M extends WorkerModel<unknown, unknown>>(options: WorkerModelSlotOptions<M>, size: number): ModelPool<M> {
  const copies = Math.max(1, Math.floor(size));
  return new ModelPool(Array.from({ length: copies }, () => workerModelSlot(options)));
}
