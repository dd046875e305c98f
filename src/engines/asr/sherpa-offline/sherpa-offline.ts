/**
 * Offline (whole-utterance) recognisers through sherpa-onnx's OfflineRecognizer: Whisper,
 * Moonshine, SenseVoice, Paraformer, NeMo and icefall transducers. Each loaded model lives in its
 * own worker thread (feature extraction has no async variant and takes about a second for a
 * Whisper window); one decode runs at a time per model and the wait is bounded.
 */
import { concatSamples } from '../../../audio/pcm.js';
import type { ModelPool } from '../../runtime/model-pool.js';
import { SatelliteError, errorMessage } from '../../../util/errors.js';
import { baseLanguage, type AsrEngine, type AsrModelInfo, type AsrResult, type AsrSession, type AsrSessionOptions, type AsrTask } from '../asr.js';
import { asrModelInfo, type AsrBackendOptions, type AsrModelSpec } from '../model-spec.js';
import { checkModelFiles } from '../../runtime/model-check.js';
import type { OfflineReply, OfflineRequest } from './sherpa-offline-protocol.js';
import { workerModelPool, type WorkerHost } from '../../runtime/worker-host.js';
import { wordsFromTokens } from '../token-words.js';

/** Shorter input is answered with an empty transcript instead of being decoded. */
export const MIN_DECODE_SECONDS = 0.1;
/** Hard cap on buffered audio per session, whatever the caller enforces. */
export const MAX_OFFLINE_SECONDS = 120;

function modelSection(spec: AsrModelSpec, language: string, task: AsrTask): Record<string, unknown> {
  const f = spec.files;
  switch (spec.family) {
    case 'whisper':
      return { whisper: { encoder: f.encoder, decoder: f.decoder, language, task } };
    case 'moonshine':
      return {
        moonshine: {
          preprocessor: f.preprocessor ?? '',
          encoder: f.encoder,
          uncachedDecoder: f.uncachedDecoder ?? '',
          cachedDecoder: f.cachedDecoder ?? '',
          mergedDecoder: f.mergedDecoder ?? '',
        },
      };
    case 'sense-voice':
      return { senseVoice: { model: f.model, language, useInverseTextNormalization: 1 } };
    case 'paraformer':
      return { paraformer: { model: f.model } };
    case 'nemo-transducer':
      return { transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner }, modelType: 'nemo_transducer' };
    case 'transducer':
      return { transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner } };
    default:
      throw new SatelliteError('SAT_ERR_CONFIG_INVALID', `${spec.family} is not an offline sherpa-onnx family`);
  }
}

export function offlineRecognizerConfig(
  options: AsrBackendOptions,
  language = options.spec.language ?? '',
  task: AsrTask = options.spec.task ?? 'transcribe',
): Record<string, unknown> {
  const { spec, runtime } = options;
  return {
    featConfig: { sampleRate: spec.sampleRate, featureDim: 80 },
    modelConfig: {
      ...modelSection(spec, language, task),
      tokens: spec.files.tokens,
      numThreads: runtime.numThreads,
      provider: runtime.provider,
      debug: 0,
    },
    decodingMethod: 'greedy_search',
  };
}

type DecodeReply = Omit<Extract<OfflineReply, { type: 'result' }>, 'type' | 'id'>;

class OfflineModel {
  host!: WorkerHost<OfflineRequest, OfflineReply>;
  /** `language|task` the worker's recogniser is configured for (Whisper switches them per request). */
  configured: string;
  readonly pending = new Map<number, { resolve: (r: DecodeReply) => void; reject: (err: Error) => void }>();
  #nextId = 1;

  constructor(configured: string) {
    this.configured = configured;
  }

  dispatch(reply: OfflineReply): void {
    if (reply.type !== 'result' && reply.type !== 'error') return;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.type === 'result') p.resolve(reply);
    else p.reject(new Error(reply.message));
  }

  decode(samples: Float32Array, sampleRate: number, config: Record<string, unknown> | undefined): Promise<DecodeReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const copy = samples.slice();
      this.host.post({ type: 'decode', id, samples: copy, sampleRate, config }, [copy.buffer as ArrayBuffer]);
    });
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** `<|en|>` → `en`. */
function cleanLanguage(lang: string | undefined): string | undefined {
  const code = lang?.replace(/[<|>]/g, '').trim();
  return code ? code : undefined;
}

export class SherpaOfflineEngine implements AsrEngine {
  readonly info: AsrModelInfo;
  readonly #options: AsrBackendOptions;
  readonly #slot: ModelPool<OfflineModel>;

  constructor(options: AsrBackendOptions) {
    this.#options = options;
    const { spec, runtime } = options;
    this.info = {
      ...asrModelInfo(spec, 'sherpa-offline', false, spec.family === 'whisper' && spec.languages.length > 1 ? ['transcribe', 'translate'] : ['transcribe']),
      wordTimes: spec.family !== 'whisper',
    };
    // One worker per copy: utterances of different sessions decode in parallel up to `workers`.
    this.#slot = workerModelPool(
      {
        name: spec.name,
        runtime,
        worker: new URL('./sherpa-offline-worker.js', import.meta.url),
        config: offlineRecognizerConfig(options),
        create: () => new OfflineModel(`${spec.language ?? ''}|${spec.task ?? 'transcribe'}`),
        prepare: () => checkModelFiles(spec.name, spec.files),
      },
      runtime.workers ?? 1,
    );
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** Copies of the model in memory now (one worker each; more load while sessions overlap). */
  get loadedCopies(): number {
    return this.#slot.loadedCopies;
  }

  /** How many times the native model was loaded (tests, stats). */
  get loadCount(): number {
    return this.#slot.loadCount;
  }

  /** Loads now (preload, benchmarks). */
  async load(): Promise<void> {
    await this.#slot.get();
  }

  #languageFor(requested: string | undefined): string {
    const { spec } = this.#options;
    if (!requested) return spec.language ?? '';
    const code = baseLanguage(requested);
    if (!spec.languages.includes(code)) {
      throw new SatelliteError('SAT_ERR_UNSUPPORTED_LANGUAGE', `${spec.name} does not support language ${requested}`);
    }
    // Only multilingual Whisper and SenseVoice take a language; others ignore it.
    return spec.family === 'whisper' && spec.languages.length > 1 ? code : spec.family === 'sense-voice' ? code : spec.language ?? '';
  }

  #soleLanguage(): string | undefined {
    return this.info.languages.length === 1 ? this.info.languages[0] : undefined;
  }

  /** Decodes one utterance; a `signal` that aborts while the job waits for the model drops it unrun. */
  async decode(samples: Float32Array, language?: string, task?: AsrTask, signal?: AbortSignal): Promise<AsrResult> {
    const lang = this.#languageFor(language);
    const wanted: AsrTask = task ?? this.#options.spec.task ?? 'transcribe';
    if (!this.info.tasks?.includes(wanted)) throw new SatelliteError('SAT_ERR_UNSUPPORTED_TASK', `${this.info.name} cannot ${wanted}`);
    // the language to report: the one the model was told, else the (supported) one asked for, else its only one
    const reported = lang || (language ? baseLanguage(language) : undefined) || this.#soleLanguage();
    if (samples.length < MIN_DECODE_SECONDS * this.info.sampleRate) return { text: '', language: reported };
    return this.#slot.run(async (model) => {
      const key = `${lang}|${wanted}`;
      let config: Record<string, unknown> | undefined;
      if (this.#options.spec.family === 'whisper' && key !== model.configured) {
        config = offlineRecognizerConfig(this.#options, lang, wanted);
        model.configured = key;
      }
      try {
        const result = await model.decode(samples, this.info.sampleRate, config);
        const seconds = samples.length / this.info.sampleRate;
        return { text: result.text.trim(), language: cleanLanguage(result.lang) ?? reported, tokens: result.tokens, words: wordsFromTokens(result.tokens ?? [], seconds) };
      } catch (err) {
        throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `${this.info.name} decode failed: ${errorMessage(err)}`, { cause: err });
      }
    }, signal);
  }

  async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    const language = options.language;
    this.#languageFor(language); // refuse an unsupported language before any audio
    const maxSamples = MAX_OFFLINE_SECONDS * this.info.sampleRate;
    let chunks: Float32Array[] = [];
    let total = 0;
    let closed = false;
    return {
      accept: (samples) => {
        if (closed) return;
        if (total + samples.length > maxSamples) {
          throw new SatelliteError('SAT_ERR_UTTERANCE_TOO_LONG', `${this.info.name} takes at most ${MAX_OFFLINE_SECONDS} s`);
        }
        chunks.push(samples.slice());
        total += samples.length;
      },
      finish: async () => {
        if (closed) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session already finished');
        closed = true;
        const all = concatSamples(chunks);
        chunks = [];
        options.signal?.throwIfAborted();
        return this.decode(all, language, options.task, options.signal);
      },
      cancel: () => {
        closed = true;
        chunks = [];
      },
    };
  }

  unload(): Promise<void> {
    return this.#slot.unload();
  }

  close(): Promise<void> {
    return this.#slot.unload();
  }
}
