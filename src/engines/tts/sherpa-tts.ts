/**
 * The part of sherpa-onnx-node's `OfflineTts` that Piper and Kokoro share: loading off the event
 * loop (`createAsync`), one generation at a time per model behind a ModelSlot (lazy load, idle
 * unload, bounded queue), and streaming samples out through `generateAsync`'s progress callback,
 * which sherpa calls once per sentence batch; returning 0 from it stops the generation.
 */
import { ModelSlot } from '../runtime/model-slot.js';
import { loadSherpa, type SherpaOfflineTts } from '../runtime/sherpa-native.js';
import type { EngineRuntimeOptions } from '../types.js';
import { SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from './tts.js';

/** sherpa splits long text into batches of this many sentences; 1 streams each sentence. */
const SENTENCES_PER_BATCH = 1;

export interface SherpaTtsOptions {
  name: string;
  /** The `model` block of the OfflineTts config (`{vits: …}` or `{kokoro: …}`). */
  model: Record<string, unknown>;
  runtime: EngineRuntimeOptions;
  log: Logger;
}

export interface SherpaGenerateRequest {
  text: string;
  sid: number;
  speed: number;
  signal?: AbortSignal | undefined;
  onAudio: (samples: Float32Array) => void;
}

/** One sherpa-onnx TTS model with its lifecycle. */
export class SherpaTts {
  readonly #slot: ModelSlot<SherpaOfflineTts>;
  readonly #options: SherpaTtsOptions;

  constructor(options: SherpaTtsOptions) {
    this.#options = options;
    const { runtime, log, name } = options;
    this.#slot = new ModelSlot({
      name,
      load: () => this.#load(),
      idleUnloadSeconds: runtime.idleUnloadSeconds,
      concurrency: 1,
      maxQueue: runtime.maxQueue,
      onEvent: (event, detail) => {
        if (event === 'load-failed') log.error({ err: detail, model: name }, 'tts model failed to load');
        else log.info({ model: name }, `tts model ${event}`);
      },
    });
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  get loadCount(): number {
    return this.#slot.loadCount;
  }

  async load(): Promise<void> {
    await this.#slot.get();
  }

  /** Generates `text`, handing samples out as sherpa produces them; resolves with the model's rate. */
  generate(request: SherpaGenerateRequest): Promise<number> {
    return this.#slot.run(async (tts) => {
      const { signal } = request;
      if (signal?.aborted) throw abortError();
      try {
        await tts.generateAsync({
          text: request.text,
          sid: request.sid,
          speed: request.speed,
          onProgress: ({ samples }) => {
            if (signal?.aborted) return 0;
            // sherpa frees this buffer after the callback returns: copy it.
            request.onAudio(Float32Array.from(samples));
            return 1;
          },
        });
      } catch (err) {
        throw new SatelliteError('SAT_ERR_TTS_ENGINE', `${this.#options.name}: synthesis failed: ${(err as Error).message}`, { cause: err });
      }
      if (signal?.aborted) throw abortError();
      return tts.sampleRate;
    });
  }

  unload(): Promise<void> {
    return this.#slot.unload();
  }

  async #load(): Promise<SherpaOfflineTts> {
    const { runtime, model, name } = this.#options;
    const config = {
      model: { ...model, numThreads: runtime.numThreads, provider: runtime.provider, debug: 0 },
      maxNumSentences: SENTENCES_PER_BATCH,
    };
    try {
      return await loadSherpa().OfflineTts.createAsync(config);
    } catch (err) {
      throw new SatelliteError('SAT_ERR_MODEL_LOAD', `cannot load TTS model ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export function abortError(): SatelliteError {
  return new SatelliteError('SAT_ERR_CANCELLED', 'synthesis cancelled');
}

/**
 * A TtsEngine over one sherpa-onnx model (Piper, Kokoro): everything but how a request's voice
 * and speaker map to the model's speaker id.
 */
export abstract class SherpaTtsEngine implements TtsEngine {
  abstract readonly voices: TtsVoiceInfo[];

  protected constructor(protected readonly tts: SherpaTts) {}

  /** The model's speaker id for a request; throws a coded error for an unknown voice or speaker. */
  protected abstract speakerId(request: TtsRequest): number;

  get loaded(): boolean {
    return this.tts.loaded;
  }

  load(): Promise<void> {
    return this.tts.load();
  }

  async synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    const sid = this.speakerId(request);
    const sampleRate = await this.tts.generate({
      text: request.text,
      sid,
      speed: request.speed ?? 1,
      signal: request.signal,
      onAudio: request.onAudio,
    });
    return { sampleRate };
  }

  unload(): Promise<void> {
    return this.tts.unload();
  }

  close(): Promise<void> {
    return this.tts.unload();
  }
}
