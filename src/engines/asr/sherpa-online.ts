/**
 * Streaming transducer (zipformer) through sherpa-onnx's OnlineRecognizer, run in one worker
 * thread per loaded model that serves every session of that model. Partial text arrives while
 * audio streams in; `finish` flushes with a little silence and returns the final text.
 */
import type { ModelSlot } from '../model-slot.js';
import { SatelliteError } from '../../util/errors.js';
import type { AsrEngine, AsrModelInfo, AsrResult, AsrSession, AsrSessionOptions } from './asr.js';
import { asrModelInfo, type AsrBackendOptions } from './model-spec.js';
import type { OnlineReply, OnlineRequest } from './sherpa-online-protocol.js';
import { workerModelSlot, type WorkerHost } from './worker-host.js';
import { checkModelFiles } from './model-check.js';

/** Silence appended at the end so the encoder's right context sees the last words. */
export const TAIL_PADDING_SECONDS = 0.5;
/** Streams one worker serves at once on top of the configured queue. */
export const MAX_ACTIVE_STREAMS = 8;

interface StreamHandlers {
  onPartial?: ((text: string) => void) | undefined;
  resolve?: (result: AsrResult) => void;
  reject?: (err: Error) => void;
}

class OnlineModel {
  readonly streams = new Map<number, StreamHandlers>();
  host!: WorkerHost<OnlineRequest, OnlineReply>;

  dispatch(reply: OnlineReply): void {
    if (reply.type === 'ready' || reply.type === 'load-error') return;
    const handlers = this.streams.get(reply.id);
    if (!handlers) return;
    if (reply.type === 'partial') handlers.onPartial?.(reply.text);
    else if (reply.type === 'final') {
      this.streams.delete(reply.id);
      handlers.resolve?.({ text: reply.text });
    } else if (reply.type === 'error') {
      this.streams.delete(reply.id);
      handlers.reject?.(new SatelliteError('SAT_ERR_ENGINE_FAILED', `streaming decode failed: ${reply.message}`));
    }
  }

  failAll(err: Error): void {
    for (const handlers of this.streams.values()) handlers.reject?.(err);
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
  readonly #slot: ModelSlot<OnlineModel>;
  #nextId = 1;
  #active = 0;

  constructor(options: AsrBackendOptions) {
    this.#options = options;
    const { spec, runtime } = options;
    this.info = asrModelInfo(spec, 'sherpa-online', true);
    this.#slot = workerModelSlot({
      name: spec.name,
      runtime,
      worker: new URL('./sherpa-online-worker.js', import.meta.url),
      config: onlineRecognizerConfig(options),
      create: () => new OnlineModel(),
      prepare: () => checkModelFiles(spec.name, spec.files),
    });
  }

  get loaded(): boolean {
    return this.#slot.loaded;
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
    const handlers: StreamHandlers = { onPartial: options.onPartial };
    model.streams.set(id, handlers);
    model.host.post({ type: 'open', id });
    const rate = this.info.sampleRate;
    let done = false;
    let finishing = false;
    const end = () => {
      if (done) return false;
      done = true;
      this.#active--;
      options.signal?.removeEventListener('abort', cancel);
      release();
      return true;
    };
    const cancel = () => {
      if (!end()) return;
      model.streams.delete(id);
      model.host.post({ type: 'cancel', id });
      handlers.reject?.(new SatelliteError('SAT_ERR_CANCELLED', 'session cancelled'));
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    return {
      accept(samples: Float32Array) {
        if (done || finishing || samples.length === 0) return;
        const copy = samples.slice();
        model.host.post({ type: 'audio', id, samples: copy, sampleRate: rate }, [copy.buffer as ArrayBuffer]);
      },
      finish: () => {
        if (done || finishing) return Promise.reject(new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session already finished'));
        finishing = true;
        const result = new Promise<AsrResult>((resolve, reject) => {
          handlers.resolve = resolve;
          handlers.reject = reject;
        });
        model.host.post({ type: 'finish', id, tailPadding: Math.round(TAIL_PADDING_SECONDS * rate), sampleRate: rate });
        return result.finally(() => end());
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
