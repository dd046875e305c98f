/**
 * The live catalogue: the one owner of the engines that are installed now, of every kind. A
 * rescan (one at a time, however many triggers arrive) turns the specs found on disk into
 * engines: a spec whose key is unchanged keeps its engine, a new one is built, and an engine no
 * longer found is retired — taken out of every listing at once, but closed only when its last
 * lease (a session that was using it) ends. Each kind that changed is announced once.
 */
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import { ENGINE_KINDS, engineNames, type EngineKind, type EngineOf, type EngineSpec, type SpeechChange } from './engine-kinds.js';

export interface Installed<K extends EngineKind = EngineKind> {
  readonly id: string;
  readonly key: string;
  readonly engine: EngineOf[K];
}

export interface CatalogueOptions {
  /** Everything installed now, in preference order per kind. */
  discover: () => Promise<EngineSpec[]>;
  onChange: (change: SpeechChange) => void;
  log: Logger;
  /** Preloads (config `preload`) wait for this, so start-up serves `describe` before loading models. */
  preloadAfter?: Promise<unknown>;
}

type Entries = { [K in EngineKind]: Array<Installed<K>> };

export class LiveCatalogue {
  readonly #o: CatalogueOptions;
  #entries: Entries = { asr: [], vad: [], tts: [], wake: [] };
  readonly #leases = new Map<object, number>();
  readonly #retired = new Set<object>();
  /** Keys whose build failed, so a broken model is reported once rather than on every rescan. */
  readonly #failed = new Set<string>();
  #scan: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;
  #closed = false;

  constructor(options: CatalogueOptions) {
    this.#o = options;
  }

  list<K extends EngineKind>(kind: K): ReadonlyArray<Installed<K>> {
    return this.#entries[kind] as Array<Installed<K>>;
  }

  /**
   * Rescans; resolves once a scan that started after this call has finished. Calls made while a
   * scan runs share the one scan that follows it.
   */
  rescan(): Promise<void> {
    if (this.#pending) return this.#pending;
    const next = this.#scan.then(() => {
      this.#pending = undefined;
      return this.#runScan();
    });
    this.#pending = next;
    this.#scan = next.catch(() => undefined);
    return next;
  }

  /** Keeps `engine` open until the returned release is called, even if a rescan retires it. */
  lease(engine: object): () => void {
    this.#leases.set(engine, (this.#leases.get(engine) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#leases.get(engine) ?? 1) - 1;
      if (left > 0) this.#leases.set(engine, left);
      else {
        this.#leases.delete(engine);
        if (this.#retired.has(engine)) void this.#close(engine);
      }
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#scan;
    const all = ENGINE_KINDS.flatMap((kind) => this.#entries[kind].map((e) => e.engine as object));
    this.#entries = { asr: [], vad: [], tts: [], wake: [] };
    await Promise.all([...all, ...this.#retired].map((engine) => this.#close(engine)));
  }

  async #runScan(): Promise<void> {
    if (this.#closed) return;
    let specs: EngineSpec[];
    try {
      specs = await this.#o.discover();
    } catch (err) {
      this.#o.log.error({ reason: errorMessage(err) }, 'model scan failed; keeping what is installed');
      return;
    }
    for (const kind of ENGINE_KINDS) await this.#apply(kind, specs.filter((s) => s.kind === kind) as Array<EngineSpec<typeof kind>>);
  }

  async #apply<K extends EngineKind>(kind: K, specs: Array<EngineSpec<K>>): Promise<void> {
    const current = this.#entries[kind] as Array<Installed<K>>;
    const next: Array<Installed<K>> = [];
    const taken = new Set<string>();
    for (const spec of specs) {
      if (next.some((e) => e.id === spec.id)) continue;
      const kept = current.find((e) => e.id === spec.id && e.key === spec.key);
      const engine = kept?.engine ?? (await this.#build(spec, taken));
      if (!engine) continue;
      for (const name of engineNames(kind, engine)) taken.add(name);
      next.push({ id: spec.id, key: spec.key, engine });
      if (!kept && spec.preload) this.#preload(kind, spec.id, engine);
    }
    const retired = current.filter((e) => !next.some((n) => n.engine === e.engine));
    this.#entries[kind] = next as Entries[K];
    for (const entry of retired) this.#retire(entry.engine);
    const added = next.filter((e) => !current.some((c) => c.engine === e.engine)).map((e) => e.id);
    const removed = retired.map((e) => e.id);
    if (added.length > 0 || removed.length > 0) this.#o.onChange({ kind, added, removed });
  }

  async #build<K extends EngineKind>(spec: EngineSpec<K>, taken: ReadonlySet<string>): Promise<EngineOf[K] | undefined> {
    try {
      const engine = await spec.build({ takenNames: taken });
      this.#failed.delete(spec.key);
      return engine;
    } catch (err) {
      const first = !this.#failed.has(spec.key);
      this.#failed.add(spec.key);
      this.#o.log[first ? 'warn' : 'debug']({ kind: spec.kind, model: spec.id, reason: errorMessage(err) }, 'model not usable; skipped');
      return undefined;
    }
  }

  #preload(kind: EngineKind, id: string, engine: EngineOf[EngineKind]): void {
    const gate = this.#o.preloadAfter ?? Promise.resolve();
    void gate
      .then(() => (this.#closed ? undefined : engine.load?.()))
      .catch((err: unknown) => this.#o.log.error({ kind, model: id, reason: errorMessage(err) }, 'preload failed'));
  }

  #retire(engine: object): void {
    if ((this.#leases.get(engine) ?? 0) > 0) this.#retired.add(engine);
    else void this.#close(engine);
  }

  async #close(engine: object): Promise<void> {
    this.#retired.delete(engine);
    await (engine as { close(): Promise<void> }).close().catch((err: unknown) => this.#o.log.warn({ reason: errorMessage(err) }, 'closing an engine failed'));
  }
}
