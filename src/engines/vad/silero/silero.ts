/**
 * Silero VAD v5/v6 through onnxruntime-node in a worker thread (one per loaded model, shared by
 * every stream). Probabilities come back per 32 ms window and go through {@link SpeechSegmenter}
 * on the calling thread, which fires the stream's start/end callbacks.
 */
import type { ModelSlot } from '../../runtime/model-slot.js';
import { SatelliteError } from '../../../util/errors.js';
import { workerModelSlot, type WorkerHost } from '../../runtime/worker-host.js';
import type { EngineRuntimeOptions } from '../../types.js';
import { SILERO_SAMPLE_RATE, SILERO_WINDOW, type SileroReply, type SileroRequest, type SileroWorkerConfig } from './silero-protocol.js';
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

interface Pending {
  resolve: (probs: Float32Array) => void;
  reject: (err: Error) => void;
}

class SileroModel {
  host!: WorkerHost<SileroRequest, SileroReply>;
  readonly pending = new Map<string, Pending>();
  streams = 0;

  dispatch(reply: SileroReply): void {
    if (reply.type !== 'probs' && reply.type !== 'error') return;
    const key = `${reply.id}:${reply.seq}`;
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    if (reply.type === 'probs') p.resolve(reply.probs);
    else p.reject(new SatelliteError('SAT_ERR_ENGINE_FAILED', `vad failed: ${reply.message}`));
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

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
    this.#slot = workerModelSlot({
      name,
      runtime,
      worker: new URL('./silero-worker.js', import.meta.url),
      config: { model: modelPath, numThreads: 1 } satisfies SileroWorkerConfig,
      create: () => new SileroModel(),
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
    model.host.post({ type: 'open', id });
    const segmenter = new SpeechSegmenter({
      threshold: options.threshold ?? this.#defaults.threshold,
      minSilenceSeconds: options.minSilenceSeconds ?? this.#defaults.minSilenceSeconds,
      minSpeechSeconds: options.minSpeechSeconds ?? this.#defaults.minSpeechSeconds,
      windowSeconds: SILERO_WINDOW_SECONDS,
    });
    let seq = 0;
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
        const n = seq++;
        const copy = samples.slice();
        const probs = await new Promise<Float32Array>((resolve, reject) => {
          model.pending.set(`${id}:${n}`, { resolve, reject });
          model.host.post({ type: 'audio', id, seq: n, samples: copy }, [copy.buffer as ArrayBuffer]);
        });
        for (const p of probs) emit(segmenter.push(p));
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
        model.host.post({ type: 'close', id });
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
