/**
 * openWakeWord through onnxruntime-node. One engine = one front end (melspectrogram + embedding)
 * and the heads of every wake word found with it. Per session the front end runs once per 80 ms
 * hop and every selected head scores the same embedding window, so listening for four words costs
 * little more than one. Sessions share the loaded ONNX sessions: the front end loads on first use
 * (or at start with `preload`), each head the first time a session asks for its word (all of
 * them with `preload`), and everything is released after the idle period once no session holds it.
 * A file that cannot be loaded is remembered (`LoadFailures`) and not tried again until it changes
 * on disk or a rescan builds a new engine. A bad head never stops the other words: a session asking
 * only for failed words gets the coded error (its caller reports it), one asking for others too
 * listens for those, and the engine logs the skipped head once.
 * onnxruntime-node's promise API runs each model call on the main thread after a setImmediate;
 * the largest (the embedding) takes about 1.5 ms, so the event loop is never held for long.
 */
import { ModelSlot } from '../../runtime/model-slot.js';
import type { EngineRuntimeOptions } from '../../types.js';
import type { Logger } from '../../../util/logger.js';
import { SatelliteError, errorMessage } from '../../../util/errors.js';
import { loadOrt, openOrtSession, type ort } from '../../runtime/ort-session.js';
import { LoadFailures } from '../../runtime/load-failures.js';
import { EMBEDDING_SIZE, HEAD_WINDOW, HOP_SAMPLES, OwwFeatureStream, SAMPLE_RATE, embed, initialMelBuffer, type OwwBackbone } from './openwakeword-features.js';
import { HopBuffer } from '../hop-buffer.js';
import { DEFAULT_WAKE_TUNING, WakeTrigger, type WakeTuning } from '../wake-trigger.js';
import { resolveSessionNames, wakeWordVersion } from '../wake-names.js';
import type { WakeEngine, WakeModelInfo, WakeSession, WakeSessionOptions } from '../wake.js';

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
  /** Heads loaded so far; a head loads when a session first asks for its word. */
  heads: Map<string, LoadedHead>;
  /** Head loads in flight, shared by concurrent sessions. */
  pending: Map<string, Promise<LoadedHead>>;
  /** Set once the set is being unloaded. */
  released: boolean;
}

/** Key of the front end (melspectrogram + embedding) among the remembered failures. */
const FRONT_END = 'front end';

export class OpenWakeWordEngine implements WakeEngine {
  readonly models: WakeModelInfo[];
  readonly #options: OpenWakeWordOptions;
  readonly #slot: ModelSlot<Loaded>;
  readonly #sessions = new Set<OwwSession>();
  readonly #frontEndFailures = new LoadFailures();
  readonly #headFailures = new LoadFailures();
  #loadAttempts = 0;

  constructor(options: OpenWakeWordOptions) {
    if (options.heads.length === 0) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `openWakeWord ${options.id}: no wake-word heads`);
    this.#options = options;
    this.models = options.heads.map((h) => ({
      name: h.name,
      phrase: h.phrase,
      description: h.phrase,
      languages: h.languages ?? ['en'],
      version: wakeWordVersion(h.file),
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

  /**
   * Loads the front end and every head now (config `preload`). A head that cannot be loaded is
   * logged once and left out; only a broken front end makes this fail.
   */
  async load(): Promise<void> {
    const lease = await this.#slot.lease();
    try {
      const heads = this.#options.heads;
      const results = await Promise.allSettled(heads.map((h) => this.#head(lease.model, h)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') this.#reportSkipped(heads[i]!, r.reason);
      });
    } finally {
      lease.release();
    }
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** How many times model files were read: front end loads plus head loads (stats and tests). */
  get loadAttempts(): number {
    return this.#loadAttempts;
  }

  async createSession(options: WakeSessionOptions): Promise<WakeSession> {
    const names = resolveSessionNames(this.models, options.names);
    const lease = await this.#slot.lease();
    try {
      const specs = names.map((name) => this.#options.heads.find((h) => h.name === name)!);
      const results = await Promise.allSettled(specs.map((spec) => this.#head(lease.model, spec)));
      const words: Word[] = [];
      results.forEach((r, i) => {
        const spec = specs[i]!;
        if (r.status === 'rejected') return;
        const tuning = { ...DEFAULT_WAKE_TUNING, ...this.#options.tuning, ...spec.tuning };
        words.push({ name: spec.name, head: r.value, trigger: new WakeTrigger(tuning) });
      });
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ spec: specs[i]!, err: r.reason as unknown }] : []));
      // Only failed words asked for: the caller gets the error and reports it.
      if (words.length === 0) throw failed[0]!.err;
      for (const f of failed) this.#reportSkipped(f.spec, f.err);
      if (lease.model.released) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', `openWakeWord ${this.#options.id} was closed while a session opened`);
      const session = new OwwSession(
        lease.model.backbone,
        words,
        options.onDetection,
        () => {
          this.#sessions.delete(session);
          // the lease is released once a hop in flight has finished with the ONNX sessions
          void session.idle().then(lease.release);
        },
        options.onScores,
      );
      this.#sessions.add(session);
      return session;
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  async close(): Promise<void> {
    for (const session of [...this.#sessions]) session.close();
    await this.#slot.unload();
  }

  /** The front end; a failure is remembered until melspectrogram or embedding changes on disk. */
  async #load(): Promise<Loaded> {
    const { runtime, log, melspectrogram, embedding } = this.#options;
    const fingerprint = await this.#frontEndFailures.check(FRONT_END, [melspectrogram, embedding]);
    this.#loadAttempts++;
    const started = Date.now();
    const opened: ort.InferenceSession[] = [];
    try {
      const open = async (file: string) => {
        const s = await openOrtSession(file, runtime, log);
        opened.push(s);
        return s;
      };
      const mel = await open(melspectrogram);
      const emb = await open(embedding);
      const { Tensor } = await loadOrt();
      const partial = { mel, embedding: emb, initialEmbedding: new Float32Array(EMBEDDING_SIZE), Tensor };
      const backbone: OwwBackbone = { ...partial, initialEmbedding: await embed(partial, initialMelBuffer()) };
      log?.info({ engine: this.#options.id, ms: Date.now() - started }, 'openWakeWord front end loaded');
      return { backbone, heads: new Map(), pending: new Map(), released: false };
    } catch (err) {
      await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
      const files = `${melspectrogram}, ${embedding}`;
      const error = new SatelliteError('SAT_ERR_MODEL_LOAD', `openWakeWord ${this.#options.id}: front end (${files}) cannot be loaded: ${causeMessage(err)}`, {
        cause: err,
      });
      this.#frontEndFailures.remember(FRONT_END, fingerprint, error);
      throw error;
    }
  }

  /** One head of the loaded set, loading it on first use (concurrent sessions share the load). */
  #head(loaded: Loaded, spec: OwwHeadOptions): Promise<LoadedHead> {
    const have = loaded.heads.get(spec.name);
    if (have) return Promise.resolve(have);
    let pending = loaded.pending.get(spec.name);
    if (!pending) {
      pending = this.#loadHead(spec, loaded.backbone)
        .then((head) => {
          loaded.heads.set(spec.name, head);
          return head;
        })
        .finally(() => loaded.pending.delete(spec.name));
      loaded.pending.set(spec.name, pending);
    }
    return pending;
  }

  /** Opens a head and scores one window with it; a failure is remembered until the file changes. */
  async #loadHead(spec: OwwHeadOptions, backbone: OwwBackbone): Promise<LoadedHead> {
    const { runtime, log } = this.#options;
    const fingerprint = await this.#headFailures.check(spec.name, [spec.file]);
    this.#loadAttempts++;
    const started = Date.now();
    let session: ort.InferenceSession | undefined;
    try {
      session = await openOrtSession(spec.file, runtime, log);
      const head = { session, inputName: session.inputNames[0]!, outputName: session.outputNames[0]! };
      if (!head.inputName || !head.outputName) throw new Error('the model has no input or output');
      // a file that opens but cannot score a window would otherwise fail on every hop
      const window = new backbone.Tensor('float32', new Float32Array(HEAD_WINDOW * EMBEDDING_SIZE), [1, HEAD_WINDOW, EMBEDDING_SIZE]);
      const out = await session.run({ [head.inputName]: window });
      if (!out[head.outputName]) throw new Error(`the model has no output ${head.outputName}`);
      log?.debug({ engine: this.#options.id, name: spec.name, ms: Date.now() - started }, 'openWakeWord head loaded');
      return head;
    } catch (err) {
      await session?.release().catch(() => undefined);
      const error = new SatelliteError(
        'SAT_ERR_MODEL_LOAD',
        `openWakeWord ${this.#options.id}: wake word ${spec.name} cannot be loaded from ${spec.file}: ${causeMessage(err)}`,
        { cause: err },
      );
      this.#headFailures.remember(spec.name, fingerprint, error);
      throw error;
    }
  }

  /** A head left out of a session (or of a preload): logged once per failure. */
  #reportSkipped(spec: OwwHeadOptions, err: unknown): void {
    if (this.#headFailures.has(spec.name) && !this.#headFailures.firstReport(spec.name)) return;
    this.#options.log?.warn(
      { engine: this.#options.id, name: spec.name, file: spec.file, code: 'SAT_ERR_MODEL_LOAD', err },
      'wake word cannot be loaded; the other words keep working until the file is replaced',
    );
  }
}

/** The underlying reason of a load error (openOrtSession already names the file). */
function causeMessage(err: unknown): string {
  const cause = err instanceof SatelliteError && err.cause instanceof Error ? err.cause : err;
  return errorMessage(cause);
}

async function releaseAll(loaded: Loaded): Promise<void> {
  loaded.released = true;
  await Promise.allSettled([...loaded.pending.values()]);
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
    private readonly onScores?: WakeSessionOptions['onScores'],
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
    if (this.onScores) this.onScores(Object.fromEntries(this.words.map((w, i) => [w.name, scores[i]!])));
  }
}
