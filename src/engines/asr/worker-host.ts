/**
 * Starts a worker thread that loads a native model and answers `ready` or `load-error`, then
 * relays its messages. Used for the sherpa-onnx objects that have only synchronous methods.
 */
import { Worker } from 'node:worker_threads';
import { SatelliteError } from '../../util/errors.js';

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
export interface WorkerModel<Reply> {
  dispatch(reply: Reply): void;
  failAll(err: Error): void;
}

/** Starts the worker for a model; if it dies later, its pending work fails and `onCrash` runs. */
export function startModelWorker<Request, Reply>(
  url: URL,
  config: unknown,
  name: string,
  model: WorkerModel<Reply>,
  onCrash: () => void,
): Promise<WorkerHost<Request, Reply>> {
  return WorkerHost.start<Request, Reply>(url, { config }, name, {
    onMessage: (reply) => model.dispatch(reply),
    onCrash: (err) => {
      model.failAll(new SatelliteError('SAT_ERR_ENGINE_FAILED', `${name} worker stopped: ${err.message}`, { cause: err }));
      onCrash();
    },
  });
}
