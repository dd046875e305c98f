/**
 * Listening for wake words on one audio stream (a provider connection, the satellite's mic),
 * across every engine that offers the chosen words. The listener follows the catalogue: when the
 * installed wake models change, it chooses again by the same rule and re-opens its sessions, so a
 * rescan (a word added, removed or replaced) never leaves it deaf or listening to a closed engine.
 * Engines it listens on are leased, so a rescan closes a replaced engine only once it has let go.
 */
import { errorMessage, SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { WakeSession } from '../../engines/wake/wake.js';
import { planWakeSessions, selectWakeModels, type WakeCatalogEntry } from './select-wake.js';

export interface WakeSource {
  wakeCatalog(): WakeCatalogEntry[];
  readonly defaultWakeModel: string | null;
  /** The names are downloading: listen to nothing until they are installed, rather than refuse. */
  isWakePending?(names: readonly string[]): boolean;
  lease(engine: object): () => void;
  /** Calls `fn` whenever the installed wake models change; returns the unsubscribe. */
  onWakeChange(fn: () => void): () => void;
}

export interface WakeFiring {
  name: string;
  phrase: string;
  /** Milliseconds of audio since the sessions were opened or last reset. */
  timestampMs: number;
}

export interface WakeListenerOptions {
  /** Requested names (null or empty: the configured default, else the first installed). */
  names: readonly string[] | null;
  /**
   * strict (a Wyoming `detect`): names that are all unknown are an error. Lenient (the satellite):
   * unknown names fall back to the default, so the satellite still wakes after a word was removed.
   */
  strict: boolean;
  onDetection: (firing: WakeFiring) => void;
  /** Every hop's score by word (engines that have scores), for live diagnostics. */
  onScores?: (scores: Record<string, number>) => void;
  /** The words listened for changed because the installed models did. */
  onRechosen?: (names: string[]) => void;
  log: Logger;
}

interface Open {
  chosen: WakeCatalogEntry[];
  sessions: WakeSession[];
  releases: Array<() => void>;
}

export class WakeListener {
  readonly #source: WakeSource;
  readonly #o: WakeListenerOptions;
  #open: Open | undefined;
  #generation = 0;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(source: WakeSource, options: WakeListenerOptions) {
    this.#source = source;
    this.#o = options;
  }

  /** Names listened for now. */
  get listening(): string[] {
    return this.#open?.chosen.map((e) => e.model.name) ?? [];
  }

  /**
   * Chooses the words and opens a session on each engine that offers them. An engine whose model
   * does not load does not stop the others (logged once); it throws only when none could open.
   */
  async start(): Promise<void> {
    this.#unsubscribe ??= this.#source.onWakeChange(() => void this.#rechoose());
    await this.#reopen();
  }

  /** Feeds float32 16 kHz audio to every session; resolves once they have taken it. */
  async accept(samples: Float32Array): Promise<void> {
    const open = this.#open;
    if (!open || samples.length === 0) return;
    await Promise.all(open.sessions.map((s) => s.accept(samples)));
  }

  /** Forgets audio so far (a new stream starts). */
  reset(): void {
    for (const s of this.#open?.sessions ?? []) s.reset();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    this.#unsubscribe?.();
    this.#drop(this.#open);
    this.#open = undefined;
  }

  async #rechoose(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#reopen();
    } catch (err) {
      this.#o.log.warn({ reason: errorMessage(err) }, 'wake words unavailable after the installed models changed');
      return;
    }
    if (!this.#closed) this.#o.onRechosen?.(this.listening);
  }

  async #reopen(): Promise<void> {
    const generation = ++this.#generation;
    const chosen = this.#waitingForDownload() ? [] : this.#choose();
    const phrases = new Map(chosen.map((e) => [e.model.name, e.model.phrase]));
    const next: Open = { chosen, sessions: [], releases: [] };
    const failures: unknown[] = [];
    for (const { engine, names } of planWakeSessions(chosen)) {
      const release = this.#source.lease(engine);
      try {
        const session = await engine.createSession({
          names,
          onDetection: (d) => {
            if (generation === this.#generation) this.#o.onDetection({ name: d.name, phrase: phrases.get(d.name) ?? d.name, timestampMs: d.timestampMs });
          },
          ...(this.#o.onScores ? { onScores: this.#o.onScores } : {}),
        });
        next.sessions.push(session);
        next.releases.push(release);
      } catch (err) {
        release();
        failures.push(err);
      }
    }
    if (generation !== this.#generation || this.#closed) {
      this.#drop(next);
      return;
    }
    if (next.sessions.length === 0 && chosen.length > 0) {
      this.#drop(next);
      throw failures[0] ?? new SatelliteError('SAT_ERR_WAKE_MODEL_NOT_FOUND', 'no wake model is installed');
    }
    for (const err of failures) this.#o.log.warn({ reason: errorMessage(err) }, 'some wake words cannot be loaded; listening for the others');
    this.#drop(this.#open);
    this.#open = next;
  }

  /** Every requested word is downloading and none is installed: the catalogue change will bring them. */
  #waitingForDownload(): boolean {
    const names = this.#o.names ?? [];
    if (names.length === 0 || !this.#source.isWakePending?.(names)) return false;
    try {
      selectWakeModels(this.#source.wakeCatalog(), names, null);
      return false;
    } catch {
      return true;
    }
  }

  #choose(): WakeCatalogEntry[] {
    const catalog = this.#source.wakeCatalog();
    const names = this.#o.names && this.#o.names.length > 0 ? this.#o.names : null;
    if (this.#o.strict || !names) return selectWakeModels(catalog, names, this.#source.defaultWakeModel);
    try {
      return selectWakeModels(catalog, names, this.#source.defaultWakeModel);
    } catch {
      return selectWakeModels(catalog, null, this.#source.defaultWakeModel);
    }
  }

  #drop(open: Open | undefined): void {
    for (const s of open?.sessions ?? []) s.close();
    for (const release of open?.releases ?? []) release();
  }
}
