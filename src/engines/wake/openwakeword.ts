/**
 * openWakeWord through onnxruntime-node. One engine = one front end (melspectrogram + embedding)
 * and the heads of every wake word found with it. Per session the front end runs once per 80 ms
 * hop and every selected head scores the same embedding window, so listening for four words costs
 * little more than one. Sessions share the loaded ONNX sessions; the set is loaded on first use
 * (or at start with `preload`) and released after the idle period once no session holds it.
 * onnxruntime-node's promise API runs each model call on the main thread after a setImmediate;
 * the largest (the embedding) takes about 1.5 ms, so the event loop is never held for long.
 */
import { ModelSlot } from '../model-slot.js';
import type { EngineRuntimeOptions } from '../types.js';
import type { Logger } from '../../util/logger.js';
import { SatelliteError } from '../../util/errors.js';
import { openOrtSession, ort } from './ort-session.js';
import { EMBEDDING_SIZE, HEAD_WINDOW, HOP_SAMPLES, OwwFeatureStream, SAMPLE_RATE, embed, initialMelBuffer, type OwwBackbone } from './openwakeword-features.js';
import { HopBuffer } from './hop-buffer.js';
import { DEFAULT_WAKE_TUNING, WakeTrigger, type WakeTuning } from './wake-trigger.js';
import { resolveSessionNames } from './wake-names.js';
import type { WakeEngine, WakeModelInfo, WakeSession, WakeSessionOptions } from './wake.js';

/** Audio a session may fall behind by before the oldest is dropped. */
export const MAX_BACKLOG_SECONDS = 5;
export const OPENWAKEWORD_ATTRIBUTION = { name: 'openWakeWord (David Scripka)', url: 'https://github.com/dscripka/openWakeWord' };

export interface OwwHeadOptions {
  name: string;
  file: string;
  phrase: string;
  languages?: string[];
  tuning?: Partial<WakeTuning>;
}

export interface OpenWakeWordOptions {
  /** Engine id (the folder name), used in logs. */
  id: string;
  melspectrogram: string;
  embedding: string;
  heads: OwwHeadOptions[];
  /** Tuning for words without their own. */
  tuning?: Partial<WakeTuning>;
  runtime: EngineRuntimeOptions;
  log?: Logger;
}

interface LoadedHead {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
}

interface Loaded {
  backbone: OwwBackbone;
  heads: Map<string, LoadedHead>;
}

export class OpenWakeWordEngine implements WakeEngine {
  readonly models: WakeModelInfo[];
  readonly #options: OpenWakeWordOptions;
  readonly #slot: ModelSlot<Loaded>;
  readonly #sessions = new Set<OwwSession>();

  constructor(options: OpenWakeWordOptions) {
    if (options.heads.length === 0) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `openWakeWord ${options.id}: no wake-word heads`);
    this.#options = options;
    this.models = options.heads.map((h) => ({
      name: h.name,
      phrase: h.phrase,
      description: h.phrase,
      languages: h.languages ?? ['en'],
      version: null,
      backend: 'openwakeword',
      attribution: { ...OPENWAKEWORD_ATTRIBUTION },
    }));
    this.#slot = new ModelSlot<Loaded>({
      name: `openWakeWord ${options.id}`,
      load: () => this.#load(),
      unload: (loaded) => releaseAll(loaded),
      idleUnloadSeconds: options.runtime.idleUnloadSeconds,
      concurrency: 1,
      maxQueue: options.runtime.maxQueue,
      onEvent: (event, detail) => options.log?.debug({ engine: options.id, event, err: detail }, 'openWakeWord model slot'),
    });
  }

  get id(): string {
    return this.#options.id;
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** Loads now (config `preload`). */
  async preload(): Promise<void> {
    await this.#slot.get();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async createSession(options: WakeSessionOptions): Promise<WakeSession> {
    const names = resolveSessionNames(this.models, options.names);
    const lease = await this.#slot.lease();
    const words = names.map((name) => {
      const head = lease.model.heads.get(name)!;
      const spec = this.#options.heads.find((h) => h.name === name)!;
      const tuning = { ...DEFAULT_WAKE_TUNING, ...this.#options.tuning, ...spec.tuning };
      return { name, head, trigger: new WakeTrigger(tuning) };
    });
    const session = new OwwSession(lease.model.backbone, words, options.onDetection, () => {
      this.#sessions.delete(session);
      // the lease is released once a hop in flight has finished with the ONNX sessions
      void session.idle().then(lease.release);
    });
    this.#sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const session of [...this.#sessions]) session.close();
    await this.#slot.unload();
  }

  async #load(): Promise<Loaded> {
    const { runtime, log } = this.#options;
    const started = Date.now();
    const opened: ort.InferenceSession[] = [];
    try {
      const open = async (file: string) => {
        const s = await openOrtSession(file, runtime, log);
        opened.push(s);
        return s;
      };
      const mel = await open(this.#options.melspectrogram);
      const embedding = await open(this.#options.embedding);
      const heads = new Map<string, LoadedHead>();
      for (const h of this.#options.heads) {
        const session = await open(h.file);
        heads.set(h.name, { session, inputName: session.inputNames[0]!, outputName: session.outputNames[0]! });
      }
      const partial = { mel, embedding, initialEmbedding: new Float32Array(EMBEDDING_SIZE), Tensor: ort.Tensor };
      const backbone: OwwBackbone = { ...partial, initialEmbedding: await embed(partial, initialMelBuffer()) };
      log?.info({ engine: this.#options.id, words: [...heads.keys()], ms: Date.now() - started }, 'openWakeWord loaded');
      return { backbone, heads };
    } catch (err) {
      await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
      throw err instanceof SatelliteError ? err : new SatelliteError('SAT_ERR_MODEL_LOAD', `openWakeWord ${this.#options.id}: ${(err as Error).message}`, { cause: err });
    }
  }
}

async function releaseAll(loaded: Loaded): Promise<void> {
  const sessions = [loaded.backbone.mel, loaded.backbone.embedding, ...[...loaded.heads.values()].map((h) => h.session)];
  await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
}

interface Word {
  name: string;
  head: LoadedHead;
  trigger: WakeTrigger;
}

class OwwSession implements WakeSession {
  readonly #features: OwwFeatureStream;
  readonly #buffer: HopBuffer;
  #hops = 0;
  #closed = false;

  constructor(
    private readonly backbone: OwwBackbone,
    private readonly words: Word[],
    private readonly onDetection: WakeSessionOptions['onDetection'],
    private readonly onClose: () => void,
  ) {
    this.#features = new OwwFeatureStream(backbone);
    this.#buffer = new HopBuffer(HOP_SAMPLES, MAX_BACKLOG_SECONDS * SAMPLE_RATE, (hop) => this.#hop(hop));
  }

  accept(samples: Float32Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#buffer.push(samples);
  }

  reset(): void {
    this.#buffer.reset(() => {
      this.#features.reset();
      this.#hops = 0;
      for (const w of this.words) w.trigger.reset();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.reset();
    this.onClose();
  }

  /** Resolves once no hop is running. */
  idle(): Promise<void> {
    return this.#buffer.idle();
  }

  async #hop(hop: Float32Array): Promise<void> {
    if (this.#closed) return;
    const window = await this.#features.hop(hop);
    this.#hops++;
    const atMs = Math.round(((this.#hops * HOP_SAMPLES + this.#buffer.dropped) * 1000) / SAMPLE_RATE);
    const input = new this.backbone.Tensor('float32', window, [1, HEAD_WINDOW, EMBEDDING_SIZE]);
    const scores = await Promise.all(
      this.words.map(async (w) => {
        const out = await w.head.session.run({ [w.head.inputName]: input });
        return (out[w.head.outputName]!.data as Float32Array)[0] ?? 0;
      }),
    );
    if (this.#closed) return;
    this.words.forEach((w, i) => {
      if (w.trigger.update(scores[i]!, atMs)) this.onDetection({ name: w.name, timestampMs: atMs });
    });
  }
}
