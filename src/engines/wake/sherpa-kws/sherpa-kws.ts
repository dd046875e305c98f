/**
 * sherpa-onnx keyword spotter: open-vocabulary wake phrases from a keywords list, each with an
 * optional boost (`:x`) and threshold (`#y`). The spotter's API is synchronous, so it lives in a
 * worker thread (one per engine, shared by every session); each session is one spotter stream
 * and reports only the phrases it asked for, with the same refractory period as other words.
 * A spotter that cannot be loaded is remembered (`LoadFailures`) and not tried again until one of
 * its files changes on disk or a rescan builds a new engine.
 */
import { readFileSync } from 'node:fs';
import { ModelSlot } from '../../runtime/model-slot.js';
import type { EngineRuntimeOptions } from '../../types.js';
import type { Logger } from '../../../util/logger.js';
import { SatelliteError, errorMessage } from '../../../util/errors.js';
import { formatKeywordLine, keywordSpec, parseTokens, type KeywordSpec } from './kws-keywords.js';
import { UnigramTokenizer } from './sentencepiece.js';
import { KwsWorkerClient } from './sherpa-kws-client.js';
import { LoadFailures } from '../../runtime/load-failures.js';
import { openOrtSession } from '../../runtime/ort-session.js';
import type { SpotterConfig } from './sherpa-kws-protocol.js';
import { DEFAULT_WAKE_TUNING, WakeTrigger, type WakeTuning } from '../wake-trigger.js';
import { resolveSessionNames } from '../wake-names.js';
import type { WakeEngine, WakeModelInfo, WakeSession, WakeSessionOptions } from '../wake.js';

const SAMPLE_RATE = 16_000;
const FEATURE_DIM = 80;
/** Audio a session may have in flight to the worker before new audio is dropped. */
export const MAX_BACKLOG_SECONDS = 5;
/** Key of the spotter among the remembered load failures. */
const SPOTTER = 'spotter';
export const KWS_ATTRIBUTION = { name: 'k2-fsa sherpa-onnx', url: 'https://github.com/k2-fsa/sherpa-onnx' };

export interface KwsSpotterTuning {
  /** Default boost of every phrase (sherpa `keywordsScore`). */
  keywordsScore: number;
  /** Default trigger threshold of every phrase (sherpa `keywordsThreshold`). */
  keywordsThreshold: number;
  numTrailingBlanks: number;
  maxActivePaths: number;
}

export const DEFAULT_SPOTTER_TUNING: Readonly<KwsSpotterTuning> = Object.freeze({
  keywordsScore: 1.0,
  keywordsThreshold: 0.25,
  numTrailingBlanks: 1,
  maxActivePaths: 4,
});

export interface KwsEngineOptions {
  id: string;
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
  bpeModel?: string | undefined;
  /** Keyword lines: pre-tokenised or plain text, each with optional `:boost #threshold @NAME`. */
  keywords: string[];
  languages: string[];
  /** Names other engines already use; a clashing phrase gets a `_kws` suffix. */
  takenNames?: ReadonlySet<string>;
  spotter?: Partial<KwsSpotterTuning>;
  /** Trigger level is not used (the spotter decides); refractory applies per phrase. */
  tuning?: Partial<WakeTuning>;
  runtime: EngineRuntimeOptions;
  log?: Logger;
}

export interface KeywordProblem {
  line: string;
  message: string;
}

/** Turns keyword lines into specs; lines that cannot be used are returned as problems. */
export function buildKeywordSpecs(options: Pick<KwsEngineOptions, 'tokens' | 'bpeModel' | 'keywords' | 'takenNames' | 'id'>): {
  specs: KeywordSpec[];
  problems: KeywordProblem[];
} {
  const tokens = parseTokens(readFileSync(options.tokens, 'utf8'));
  const tokenizer = options.bpeModel ? UnigramTokenizer.fromFile(options.bpeModel) : undefined;
  const specs: KeywordSpec[] = [];
  const problems: KeywordProblem[] = [];
  const names = new Set<string>();
  for (const line of options.keywords) {
    try {
      const spec = keywordSpec(line, { tokens, tokenizer, model: options.id });
      if (options.takenNames?.has(spec.name)) spec.name = `${spec.name}_kws`;
      if (names.has(spec.name)) throw new SatelliteError('SAT_ERR_KWS_KEYWORD', `phrase name ${spec.name} is used twice; the first is kept`);
      names.add(spec.name);
      specs.push(spec);
    } catch (err) {
      problems.push({ line, message: errorMessage(err) });
    }
  }
  return { specs, problems };
}

export class KwsEngine implements WakeEngine {
  readonly models: WakeModelInfo[];
  readonly problems: KeywordProblem[];
  readonly #options: KwsEngineOptions;
  readonly #specs: KeywordSpec[];
  readonly #slot: ModelSlot<KwsWorkerClient>;
  readonly #sessions = new Set<KwsSession>();
  readonly #failures = new LoadFailures();
  #loadAttempts = 0;
  #nextId = 1;

  constructor(options: KwsEngineOptions) {
    const { specs, problems } = buildKeywordSpecs(options);
    if (specs.length === 0) {
      throw new SatelliteError(
        'SAT_ERR_KWS_KEYWORD',
        `keyword spotter ${options.id} has no usable phrases${problems.length ? `: ${problems.map((p) => p.message).join('; ')}` : ''}`,
      );
    }
    this.#options = options;
    this.#specs = specs;
    this.problems = problems;
    this.models = specs.map((s) => ({
      name: s.name,
      phrase: s.phrase,
      description: s.phrase,
      languages: [...options.languages],
      version: null,
      backend: 'sherpa-kws',
      attribution: { ...KWS_ATTRIBUTION },
    }));
    this.#slot = new ModelSlot<KwsWorkerClient>({
      name: `keyword spotter ${options.id}`,
      load: () => this.#load(),
      unload: (client) => client.terminate(),
      idleUnloadSeconds: options.runtime.idleUnloadSeconds,
      concurrency: 1,
      maxQueue: options.runtime.maxQueue,
    });
  }

  get id(): string {
    return this.#options.id;
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  /** The keyword lines handed to the spotter (tokenised, with options and `@` tags). */
  get keywordLines(): string[] {
    return this.#specs.map(formatKeywordLine);
  }

  async load(): Promise<void> {
    await this.#slot.get();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** How many times the spotter was loaded or tried (stats and tests). */
  get loadAttempts(): number {
    return this.#loadAttempts;
  }

  async createSession(options: WakeSessionOptions): Promise<WakeSession> {
    const names = resolveSessionNames(this.models, options.names);
    const lease = await this.#slot.lease();
    const tuning = { ...DEFAULT_WAKE_TUNING, ...this.#options.tuning, triggerLevel: 1 };
    const byTag = new Map<string, { name: string; trigger: WakeTrigger }>();
    for (const spec of this.#specs) {
      if (names.includes(spec.name)) byTag.set(spec.tag, { name: spec.name, trigger: new WakeTrigger(tuning) });
    }
    const session = new KwsSession(this.#nextId++, lease.model, byTag, options.onDetection, () => {
      this.#sessions.delete(session);
      lease.release();
    });
    this.#sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const session of [...this.#sessions]) session.close();
    await this.#slot.unload();
  }

  async #load(): Promise<KwsWorkerClient> {
    const o = this.#options;
    const spotter = { ...DEFAULT_SPOTTER_TUNING, ...o.spotter };
    const keywordsBuf = this.keywordLines.join('\n') + '\n';
    const config: SpotterConfig = {
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: FEATURE_DIM },
      modelConfig: {
        transducer: { encoder: o.encoder, decoder: o.decoder, joiner: o.joiner },
        tokens: o.tokens,
        numThreads: o.runtime.numThreads,
        provider: o.runtime.provider,
        debug: 0,
      },
      keywordsBuf,
      keywordsBufSize: Buffer.byteLength(keywordsBuf),
      ...spotter,
    };
    const files = [o.encoder, o.decoder, o.joiner, o.tokens, ...(o.bpeModel ? [o.bpeModel] : [])];
    const fingerprint = await this.#failures.check(SPOTTER, files);
    this.#loadAttempts++;
    const started = Date.now();
    let client: KwsWorkerClient;
    try {
      await checkOnnxFiles([o.encoder, o.decoder, o.joiner]).catch((err: unknown) => {
        throw new SatelliteError('SAT_ERR_MODEL_LOAD', `keyword spotter ${o.id}: ${errorMessage(err)}`, { cause: err });
      });
      client = await KwsWorkerClient.start(config, `kws ${o.id}`);
    } catch (err) {
      const error = err instanceof SatelliteError ? err : new SatelliteError('SAT_ERR_MODEL_LOAD', `keyword spotter ${o.id}: ${errorMessage(err)}`, { cause: err });
      this.#failures.remember(SPOTTER, fingerprint, error);
      throw error;
    }
    client.onDeath((err) => {
      o.log?.error({ err, engine: o.id }, 'keyword spotter worker stopped; it is reloaded on next use');
      for (const s of [...this.#sessions]) s.fail();
      void this.#slot.unload();
    });
    o.log?.info({ engine: o.id, phrases: this.models.map((m) => m.name), ms: Date.now() - started }, 'keyword spotter loaded');
    return client;
  }
}

/**
 * Opens each model file with onnxruntime-node first: sherpa-onnx aborts the whole process on a
 * file it cannot parse, while this gives a coded error naming the file.
 */
async function checkOnnxFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const session = await openOrtSession(file, { provider: 'cpu', numThreads: 1 });
    await session.release().catch(() => undefined);
  }
}

class KwsSession implements WakeSession {
  #closed = false;
  #generation = 0;
  #inFlight = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly id: number,
    private readonly client: KwsWorkerClient,
    private readonly byTag: Map<string, { name: string; trigger: WakeTrigger }>,
    private readonly onDetection: WakeSessionOptions['onDetection'],
    private readonly onClose: () => void,
  ) {
    client.open(id);
  }

  accept(samples: Float32Array): Promise<void> {
    if (this.#closed || samples.length === 0) return this.#chain;
    if (this.#inFlight > 0 && this.#inFlight + samples.length > MAX_BACKLOG_SECONDS * SAMPLE_RATE) return this.#chain;
    const generation = this.#generation;
    this.#inFlight += samples.length;
    const reply = this.client.accept(this.id, samples.slice());
    const done = reply.finally(() => (this.#inFlight -= samples.length)).then((hits) => {
      if (this.#closed || generation !== this.#generation) return;
      for (const hit of hits) {
        const word = this.byTag.get(hit.keyword);
        const atMs = Math.round((hit.atSample * 1000) / SAMPLE_RATE);
        if (word?.trigger.update(1, atMs)) this.onDetection({ name: word.name, timestampMs: atMs });
      }
    });
    this.#chain = done.catch(() => undefined);
    return done;
  }

  reset(): void {
    this.#generation++;
    this.client.reset(this.id);
    for (const w of this.byTag.values()) w.trigger.reset();
  }

  /** The worker died: later audio is ignored until the session is replaced. */
  fail(): void {
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.client.close(this.id);
    this.onClose();
  }
}
