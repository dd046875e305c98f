/**
 * Streaming transducer (zipformer) through sherpa-onnx's OnlineRecognizer, run in one worker
 * thread per loaded model that serves every session of that model. Partial text arrives while
 * audio streams in; `finish` flushes with a little silence and returns the final text.
 *
 * Each session keeps at most {@link MAX_IN_FLIGHT_SECONDS} of audio posted to the worker and not
 * yet decoded; `accept` resolves once the session is back under that window, so a client pushing
 * faster than real time is held back (its socket reads pause) instead of queueing without limit.
 * A cancelled session's queued audio is skipped by the worker (see cancel-board.ts).
 */
import type { ModelPool } from '../../runtime/model-pool.js';
import { SatelliteError } from '../../../util/errors.js';
import type { AsrEngine, AsrModelInfo, AsrResult, AsrSession, AsrSessionOptions } from '../asr.js';
import { asrModelInfo, type AsrBackendOptions } from '../model-spec.js';
import type { OnlineReply, OnlineRequest } from './sherpa-online-protocol.js';
import { workerModelPool, type WorkerHost } from '../../runtime/worker-host.js';
import { checkModelFiles } from '../../runtime/model-check.js';
import { CancelBoard } from '../../runtime/cancel-board.js';
import { onAbort } from '../../../util/abort.js';
import { wordsFromTokens } from '../token-words.js';

/** Silence appended at the end so the encoder's right context sees the last words. */
export const TAIL_PADDING_SECONDS = 0.5;
/** Streams one worker serves at once on top of the configured queue. */
export const MAX_ACTIVE_STREAMS = 8;
/** Audio a session may have posted to the worker and not yet decoded. */
export const MAX_IN_FLIGHT_SECONDS = 1;
/** Largest piece of audio posted at once, so one huge chunk still moves through the window. */
const PIECE_SECONDS = 0.25;

interface StreamHandlers {
  onPartial?: ((text: string) => void) | undefined;
  resolve?: (result: AsrResult) => void;
  reject?: (err: Error) => void;
  /** Samples posted and not yet acknowledged. */
  inFlight: number;
  /** Checks the window again after an acknowledgement or the session's end (wakes waiting `accept`s). */
  onProgress?: (() => void) | undefined;
  /** The worker died: nothing more will be acknowledged. */
  lost?: boolean;
}

class OnlineModel {
  readonly streams = new Map<number, StreamHandlers>();
  host!: WorkerHost<OnlineRequest, OnlineReply>;

  /** `onDecoded`: samples the worker decoded (stats and tests: a gone session's queued audio is not decoded). */
  constructor(private readonly onDecoded: (samples: number) => void) {}

  dispatch(reply: OnlineReply): void {
    if (reply.type === 'ready' || reply.type === 'load-error') return;
    if (reply.type === 'progress') this.onDecoded(reply.samples);
    const handlers = this.streams.get(reply.id);
    if (!handlers) return;
    if (reply.type === 'progress') {
      handlers.inFlight -= reply.samples;
      if (reply.text !== undefined) handlers.onPartial?.(reply.text);
      handlers.onProgress?.();
    } else if (reply.type === 'final') {
      this.streams.delete(reply.id);
      handlers.resolve?.({ text: reply.text, tokens: reply.tokens });
    } else if (reply.type === 'error') {
      this.streams.delete(reply.id);
      handlers.reject?.(new SatelliteError('SAT_ERR_ENGINE_FAILED', `streaming decode failed: ${reply.message}`));
    }
  }

  failAll(err: Error): void {
    for (const handlers of this.streams.values()) {
      handlers.lost = true;
      handlers.reject?.(err);
      handlers.onProgress?.();
    }
    this.streams.clear();
  }
}

export function onlineRecognizerConfig(options: AsrBackendOptions): Record<string, unknown> {
  const { spec, runtime } = options;
  return {
    featConfig: { sampleRate: spec.sampleRate, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: spec.files.encoder, decoder: spec.files.decoder, joiner: spec.files.joiner },
      tokens: spec.files.tokens,
      numThreads: runtime.numThreads,
      provider: runtime.provider,
      debug: 0,
    },
    decodingMethod: 'greedy_search',
    enableEndpoint: 0,
  };
}

export class SherpaOnlineEngine implements AsrEngine {
  readonly info: AsrModelInfo;
  readonly #options: AsrBackendOptions;
  readonly #slot: ModelPool<OnlineModel>;
  readonly #board = new CancelBoard();
  #nextId = 1;
  #active = 0;
  #decodedSamples = 0;

  constructor(options: AsrBackendOptions) {
    this.#options = options;
    const { spec, runtime } = options;
    this.info = asrModelInfo(spec, 'sherpa-online', true);
    // One worker per copy: sessions spread over up to `workers` copies and decode in parallel.
    this.#slot = workerModelPool(
      {
        name: spec.name,
        runtime,
        worker: new URL('./sherpa-online-worker.js', import.meta.url),
        config: onlineRecognizerConfig(options),
        create: () => new OnlineModel((samples) => (this.#decodedSamples += samples)),
        prepare: () => checkModelFiles(spec.name, spec.files),
        shared: this.#board.buffer,
      },
      runtime.workers ?? 1,
    );
  }

  /** Seconds of audio the worker has decoded since the engine was made (stats, tests). */
  get decodedSeconds(): number {
    return this.#decodedSamples / this.info.sampleRate;
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** Copies of the model in memory now (one worker each; more load while sessions overlap). */
  get loadedCopies(): number {
    return this.#slot.loadedCopies;
  }

  /** Streams open on the loaded model (tests and stats: a finished or dropped request frees its stream). */
  get activeStreams(): number {
    return this.#active;
  }

  async load(): Promise<void> {
    await this.#slot.get();
  }

  async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    const { model, release } = await this.#slot.lease();
    if (model.streams.size >= MAX_ACTIVE_STREAMS + this.#options.runtime.maxQueue) {
      release();
      throw new SatelliteError('SAT_ERR_ENGINE_BUSY', `${this.info.name} is busy (${model.streams.size} streams)`);
    }
    const id = this.#nextId++;
    this.#active++;
    const handlers: StreamHandlers = { onPartial: options.onPartial, inFlight: 0 };
    model.streams.set(id, handlers);
    model.host.post({ type: 'open', id });
    const rate = this.info.sampleRate;
    const window = MAX_IN_FLIGHT_SECONDS * rate;
    const piece = Math.round(PIECE_SECONDS * rate);
    let done = false;
    let finishing = false;
    /** Samples accepted: no word ends after them. */
    let received = 0;
    let detach = () => undefined as void;
    const end = () => {
      if (done) return false;
      done = true;
      this.#active--;
      detach();
      release();
      handlers.onProgress?.();
      return true;
    };
    const cancel = () => {
      if (!end()) return;
      this.#board.cancel(id);
      model.streams.delete(id);
      model.host.post({ type: 'cancel', id });
      handlers.reject?.(new SatelliteError('SAT_ERR_CANCELLED', 'session cancelled'));
    };
    let waiting: Array<() => void> = [];
    const stopped = () => done || handlers.lost === true;
    handlers.onProgress = () => {
      if (!stopped() && handlers.inFlight >= window) return;
      const wake = waiting;
      waiting = [];
      for (const resolve of wake) resolve();
    };
    /** Resolves once the window has room again (or the session ended). */
    const room = () => new Promise<void>((resolve) => waiting.push(resolve));
    const post = async (samples: Float32Array) => {
      for (let at = 0; at < samples.length; at += piece) {
        while (!stopped() && handlers.inFlight >= window) await room();
        if (stopped()) return;
        const part = samples.slice(at, Math.min(samples.length, at + piece));
        handlers.inFlight += part.length;
        model.host.post({ type: 'audio', id, samples: part, sampleRate: rate }, [part.buffer as ArrayBuffer]);
      }
    };
    // Calls are chained, so audio keeps its order and `finish` follows it even when a caller does not await.
    let feeding: Promise<void> = Promise.resolve();
    // A signal that fired while the model loaded cancels at once.
    detach = onAbort(options.signal, cancel);
    return {
      accept(samples: Float32Array) {
        if (stopped() || finishing || samples.length === 0) return feeding;
        const copy = samples.slice();
        received += copy.length;
        feeding = feeding.then(() => post(copy));
        return feeding;
      },
      finish: async () => {
        if (done || finishing) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session already finished');
        finishing = true;
        await feeding;
        if (handlers.lost) throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `${this.info.name}: the recogniser worker stopped`);
        if (done) throw new SatelliteError('SAT_ERR_CANCELLED', 'session cancelled');
        const result = new Promise<AsrResult>((resolve, reject) => {
          handlers.resolve = resolve;
          handlers.reject = reject;
        });
        model.host.post({ type: 'finish', id, tailPadding: Math.round(TAIL_PADDING_SECONDS * rate), sampleRate: rate });
        return result.then((r) => ({ ...r, words: wordsFromTokens(r.tokens ?? [], received / rate) })).finally(() => end());
      },
      cancel,
    };
  }

  unload(): Promise<void> {
    return this.#slot.unload();
  }

  close(): Promise<void> {
    return this.#slot.unload();
  }
}
