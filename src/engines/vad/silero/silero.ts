/**
 * Silero VAD v5/v6 through onnxruntime-node (one session per loaded model, shared by every
 * stream, on the daemon's thread: see silero-model.ts). Probabilities come per 32 ms window and
 * go through {@link SpeechSegmenter}, which fires the stream's start/end callbacks.
 */
import { ModelSlot } from '../../runtime/model-slot.js';
import { SatelliteError } from '../../../util/errors.js';
import type { EngineRuntimeOptions } from '../../types.js';
import { SILERO_SAMPLE_RATE, SILERO_WINDOW } from './silero-protocol.js';
import { SileroModel } from './silero-model.js';
import { SpeechSegmenter } from '../speech-segmenter.js';
import type { VadFactory, VadOptions, VadSegment, VadStream } from '../vad.js';

export const SILERO_WINDOW_SECONDS = SILERO_WINDOW / SILERO_SAMPLE_RATE;
/** Streams one worker serves at once on top of the configured queue. */
export const MAX_VAD_STREAMS = 32;

export interface SileroDefaults {
  threshold: number;
  minSilenceSeconds: number;
  minSpeechSeconds: number;
}

/** Threads of the Silero session: a 32 ms window is too small to split. */
const SILERO_THREADS = 1;

export class SileroVadFactory implements VadFactory {
  readonly name: string;
  readonly #defaults: SileroDefaults;
  readonly #runtime: EngineRuntimeOptions;
  readonly #slot: ModelSlot<SileroModel>;
  #nextId = 1;

  constructor(name: string, modelPath: string, defaults: SileroDefaults, runtime: EngineRuntimeOptions) {
    this.name = name;
    this.#defaults = defaults;
    this.#runtime = runtime;
    this.#slot = new ModelSlot<SileroModel>({
      name,
      load: () => SileroModel.load(modelPath, SILERO_THREADS),
      unload: (model) => model.release(),
      idleUnloadSeconds: runtime.idleUnloadSeconds,
      concurrency: 1,
      maxQueue: runtime.maxQueue,
    });
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** How many times the model was loaded (tests, stats). */
  get loadCount(): number {
    return this.#slot.loadCount;
  }

  async load(): Promise<void> {
    await this.#slot.get();
  }

  async createStream(options: VadOptions): Promise<VadStream> {
    const { model, release } = await this.#slot.lease();
    if (model.streams >= MAX_VAD_STREAMS + this.#runtime.maxQueue) {
      release();
      throw new SatelliteError('SAT_ERR_ENGINE_BUSY', `${this.name} is busy (${model.streams} streams)`);
    }
    model.streams++;
    const id = this.#nextId++;
    model.open(id);
    const segmenter = new SpeechSegmenter({
      threshold: options.threshold ?? this.#defaults.threshold,
      minSilenceSeconds: options.minSilenceSeconds ?? this.#defaults.minSilenceSeconds,
      minSpeechSeconds: options.minSpeechSeconds ?? this.#defaults.minSpeechSeconds,
      windowSeconds: SILERO_WINDOW_SECONDS,
    });
    let closed = false;
    const emit = (events: ReturnType<SpeechSegmenter['push']>) => {
      for (const e of events) {
        if (e.type === 'start') options.onSpeechStart?.(e.start);
        else options.onSpeechEnd?.(e.segment);
      }
    };
    const stream: VadStream = {
      accept: async (samples: Float32Array) => {
        if (closed) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'vad stream closed');
        if (samples.length === 0) return;
        let probs: Float32Array;
        try {
          probs = await model.probabilities(id, samples.slice());
        } catch (err) {
          throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `vad failed: ${(err as Error).message}`, { cause: err });
        }
        for (const p of probs) {
          emit(segmenter.push(p));
          options.onProbability?.(p, segmenter.time);
        }
      },
      get probability() {
        return segmenter.probability;
      },
      get speaking() {
        return segmenter.speaking;
      },
      get segments(): readonly VadSegment[] {
        return segmenter.segments;
      },
      get time() {
        return segmenter.time;
      },
      flush: async () => {
        emit(segmenter.flush());
      },
      close: () => {
        if (closed) return;
        closed = true;
        model.streams--;
        model.close(id);
        release();
      },
    };
    return stream;
  }

  /** Release the model now (it reloads on next use). */
  unload(): Promise<void> {
    return this.#slot.unload();
  }

  close(): Promise<void> {
    return this.#slot.unload();
  }
}
