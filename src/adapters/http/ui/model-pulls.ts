/**
 * The models part of the live view: the catalogue entries with their state on disk, and one pull
 * at a time started from the page, with its progress (throttled) for every viewer. A model whose
 * licence is non-commercial or restricted is pulled only once the page says the person accepted
 * it. Installs reach the engines the usual way: the wiring's `onInstalled` asks for a rescan.
 */
import type { CatalogueEntry } from '../../../models/catalogue-schema.js';
import { needsLicenceNotice, type ModelManager, type PullReport } from '../../../models/manager.js';
import type { ProgressReporter } from '../../../models/progress.js';
import { errorCode, errorMessage, SatelliteError } from '../../../util/errors.js';
import type { Logger } from '../../../util/logger.js';

/** Progress goes out at most this often (the last update of a file always does). */
export const PROGRESS_INTERVAL_MS = 250;

export interface CatalogueItem {
  id: string;
  kind: CatalogueEntry['kind'];
  backend: string;
  description: string;
  licence: string;
  flags: string[];
  languages: string[];
  /** Bytes to download, when the catalogue knows. */
  bytes: number | null;
  /** `present`: the files are there without a record of the install (copied in by hand). */
  state: 'installed' | 'present' | 'missing';
  /** Non-commercial or restricted: the page warns before pulling it. */
  licenceNotice: boolean;
}

export interface PullStatus {
  id: string;
  /** Every catalogue entry the pull installs (the model and what it needs), in order. */
  entries: string[];
  state: 'running' | 'done' | 'failed';
  file: string | null;
  bytes: number;
  total: number | null;
  error: { code: string; message: string } | null;
}

export interface ModelPullsOptions {
  createManager(hooks: { progress: ProgressReporter; onInstalled: (entry: CatalogueEntry) => void }): ModelManager;
  offline: boolean;
  onInstalled(entry: CatalogueEntry): void;
  /** The catalogue's states changed (after a pull, a rescan). */
  onCatalogue(items: readonly CatalogueItem[]): void;
  /** Pull progress; `settled` for the start and the end, which must reach every viewer. */
  onPull(status: PullStatus, settled: boolean): void;
  log: Logger;
  now?: () => number;
}

export class ModelPulls {
  readonly #o: ModelPullsOptions;
  readonly #manager: ModelManager;
  readonly #abort = new AbortController();
  #items: CatalogueItem[] = [];
  #pull: PullStatus | null = null;
  #running: Promise<void> | undefined;
  #lastProgress = 0;
  #refreshing: Promise<void> | undefined;

  constructor(options: ModelPullsOptions) {
    this.#o = options;
    this.#manager = options.createManager({ progress: this.#progress(), onInstalled: (entry) => options.onInstalled(entry) });
  }

  get offline(): boolean {
    return this.#o.offline;
  }

  get items(): readonly CatalogueItem[] {
    return this.#items;
  }

  get pull(): PullStatus | null {
    return this.#pull;
  }

  /** Reads the states on disk again; concurrent calls share one read. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#readStates().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Starts pulling `id` (and what it needs); returns at once with the running status. */
  start(id: string, licenceAccepted: boolean): PullStatus {
    if (this.#o.offline) throw new SatelliteError('SAT_ERR_MODEL_PULL_OFFLINE', 'models.offline is set: nothing is downloaded; use `satellite models pull` where there is a network');
    if (this.#pull?.state === 'running') throw new SatelliteError('SAT_ERR_MODEL_PULL_RUNNING', `${this.#pull.id} is downloading; wait for it to finish`);
    const catalogue = this.#manager.catalogue;
    if (!catalogue.has(id) || catalogue.get(id).role !== 'model') throw new SatelliteError('SAT_ERR_MODEL_UNKNOWN', `${id} is not a model of the catalogue`);
    const entries = this.#manager.plan([id]);
    const notices = entries.filter(needsLicenceNotice);
    if (notices.length > 0 && !licenceAccepted) {
      const list = notices.map((e) => `${e.id} (${e.licence})`).join(', ');
      throw new SatelliteError('SAT_ERR_MODEL_LICENCE_NOT_ACCEPTED', `${list}: not for every use; pull again with the licence accepted`);
    }
    this.#pull = { id, entries: entries.map((e) => e.id), state: 'running', file: null, bytes: 0, total: null, error: null };
    this.#o.log.info({ model: id, entries: this.#pull.entries, licenceAccepted }, 'model pull started from the web view');
    this.#o.onPull(this.#pull, true);
    this.#running = this.#run(entries);
    return this.#pull;
  }

  /** Cancels a running pull (shutdown) and waits for it to stop. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(entries: CatalogueEntry[]): Promise<void> {
    const status = this.#pull!;
    let reports: PullReport[] = [];
    try {
      reports = await this.#manager.pull(entries, { signal: this.#abort.signal });
    } catch (err) {
      reports = [{ id: status.id, outcome: 'failed', error: err as Error }];
    }
    const failed = reports.find((r) => r.outcome === 'failed') ?? reports.find((r) => r.outcome === 'skipped');
    status.state = failed ? 'failed' : 'done';
    status.error = failed ? { code: errorCode(failed.error, 'SAT_ERR_MODEL_DOWNLOAD'), message: errorMessage(failed.error) } : null;
    const level = failed ? 'warn' : 'info';
    this.#o.log[level]({ model: status.id, outcome: status.state, code: status.error?.code }, `model pull from the web view ${status.state === 'done' ? 'finished' : 'failed'}`);
    this.#o.onPull(status, true);
    await this.refresh().catch(() => undefined);
  }

  async #readStates(): Promise<void> {
    const models = this.#manager.catalogue.entries.filter((e) => e.role === 'model');
    const states = await this.#manager.status(models);
    this.#items = states.map(({ entry, state }) => ({
      id: entry.id,
      kind: entry.kind,
      backend: entry.backend,
      description: entry.description,
      licence: entry.licence,
      flags: [...entry.flags],
      languages: [...entry.languages],
      bytes: downloadBytes(entry),
      state,
      licenceNotice: needsLicenceNotice(entry),
    }));
    this.#o.onCatalogue(this.#items);
  }

  #progress(): ProgressReporter {
    const now = this.#o.now ?? Date.now;
    const emit = (settled: boolean) => {
      if (this.#pull) this.#o.onPull(this.#pull, settled);
    };
    return {
      start: (label, total, already) => {
        if (!this.#pull) return;
        Object.assign(this.#pull, { file: label, total: total ?? null, bytes: already });
        this.#lastProgress = now();
        emit(false);
      },
      update: (bytes) => {
        if (!this.#pull) return;
        this.#pull.bytes = bytes;
        const t = now();
        if (t - this.#lastProgress < PROGRESS_INTERVAL_MS) return;
        this.#lastProgress = t;
        emit(false);
      },
      end: () => emit(false),
    };
  }
}

/** The download size from the pins (or the catalogue's estimate). */
function downloadBytes(entry: CatalogueEntry): number | null {
  let sum = 0;
  for (const d of entry.downloads) {
    const size = d.pins[0]?.size;
    if (size === undefined) return entry.size ?? null;
    sum += size;
  }
  return sum;
}
