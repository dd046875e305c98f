/**
 * libespeak-ng in a worker thread that stays up between requests: no process is started per
 * sentence (a spawn blocks the event loop for milliseconds, and each `espeak-ng` start reloads
 * its data), and synthesis never runs on the main thread. One request at a time (the library has
 * one synthesiser per process); the worker stops after the idle period and starts again on the
 * next request, and a crashed worker fails its requests and is replaced on the next one.
 */
import { CancelBoard } from '../../runtime/cancel-board.js';
import type { ModelSlot } from '../../runtime/model-slot.js';
import { workerModelSlot, type WorkerHost, type WorkerModel } from '../../runtime/worker-host.js';
import { SatelliteError } from '../../../util/errors.js';
import { onAbort } from '../../../util/abort.js';
import { abortError } from '../sherpa-tts.js';
import type { EspeakReply, EspeakRequest, EspeakWorkerConfig } from './espeak-protocol.js';

interface Job {
  onAudio: (samples: Float32Array | Int16Array) => void;
  resolve: () => void;
  reject: (err: Error) => void;
  /** Settled early (cancelled): replies still due for it are dropped. */
  settled: boolean;
}

class EspeakWorkerModel implements WorkerModel<EspeakRequest, EspeakReply> {
  host!: WorkerHost<EspeakRequest, EspeakReply>;
  readonly jobs = new Map<number, Job>();

  dispatch(reply: EspeakReply): void {
    if (reply.type !== 'audio' && reply.type !== 'done' && reply.type !== 'error') return;
    const job = this.jobs.get(reply.id);
    if (!job) return;
    if (reply.type === 'audio') {
      if (!job.settled) job.onAudio(reply.samples);
      return;
    }
    this.forget(reply.id);
    if (job.settled) return;
    job.settled = true;
    if (reply.type === 'done') job.resolve();
    else job.reject(new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng: ${reply.message}`));
  }

  /** An idle worker does not keep the process alive; one with requests due does. */
  track(id: number, job: Job): void {
    if (this.jobs.size === 0) this.host.ref();
    this.jobs.set(id, job);
  }

  forget(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.host.unref();
  }

  failAll(err: Error): void {
    for (const job of this.jobs.values()) {
      if (!job.settled) job.reject(new SatelliteError('SAT_ERR_TTS_ENGINE', err.message, { cause: err }));
      job.settled = true;
    }
    this.jobs.clear();
  }
}

export interface EspeakSpeakerOptions {
  library: string;
  idleUnloadSeconds: number;
  maxQueue: number;
}

export interface EspeakSpeech {
  text: string;
  /** espeak voice id (`en-us`). */
  voice: string;
  wpm: number;
  signal?: AbortSignal | undefined;
  onAudio: (samples: Float32Array) => void;
  /** When given, audio comes here as the library's 16-bit samples instead of to `onAudio`. */
  onPcm16?: ((samples: Int16Array) => void) | undefined;
}

export class EspeakLibrarySpeaker {
  readonly #slot: ModelSlot<EspeakWorkerModel>;
  readonly #board = new CancelBoard();
  #nextId = 1;

  constructor(options: EspeakSpeakerOptions) {
    this.#slot = workerModelSlot({
      name: 'espeak-ng',
      runtime: { provider: 'cpu', numThreads: 1, idleUnloadSeconds: options.idleUnloadSeconds, maxQueue: options.maxQueue, preload: false },
      worker: new URL('./espeak-worker.js', import.meta.url),
      config: { library: options.library } satisfies EspeakWorkerConfig,
      shared: this.#board.buffer as SharedArrayBuffer,
      create: () => new EspeakWorkerModel(),
    });
  }

  /** The worker is up (it stops after the idle period). */
  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** How many times the worker was started (tests: a crash is followed by a fresh one). */
  get loadCount(): number {
    return this.#slot.loadCount;
  }

  /** Starts the worker now; rejects with SAT_ERR_MODEL_LOAD when the library does not load. */
  async load(): Promise<void> {
    const model = await this.#slot.get();
    if (model.jobs.size === 0) model.host.unref();
  }

  /** Resolves once every sample has gone to `onAudio`; aborting stops the library at its next 60 ms of audio. */
  speak(speech: EspeakSpeech): Promise<void> {
    const { signal } = speech;
    return this.#slot.run((model) => {
      if (signal?.aborted) return Promise.reject(abortError());
      const id = this.#nextId++;
      return new Promise<void>((resolve, reject) => {
        const onAudio = (speech.onPcm16 ?? speech.onAudio) as (samples: Float32Array | Int16Array) => void;
        const job: Job = { onAudio, resolve, reject, settled: false };
        const detach = onAbort(signal, () => {
          this.#board.cancel(id);
          if (job.settled) return;
          job.settled = true;
          reject(abortError());
        });
        job.resolve = () => {
          detach();
          resolve();
        };
        job.reject = (err) => {
          detach();
          reject(err);
        };
        model.track(id, job);
        model.host.post({ type: 'speak', id, text: speech.text, voice: speech.voice, wpm: speech.wpm, format: speech.onPcm16 ? 's16' : 'f32' });
      });
    }, signal);
  }

  /** Makes the worker exit unasked, as a crash would (tests of the restart). */
  async crashForTest(): Promise<void> {
    const model = await this.#slot.get();
    model.host.post({ type: 'exit', code: 7 });
  }

  async close(): Promise<void> {
    await this.#slot.unload();
  }
}
