/**
 * The model manager used by `satellite models …` and the daemon's first run: plans what a name
 * or preset means, pulls entries in dependency order, verifies and removes installs, and reports
 * the state of the catalogue against models_dir.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorCode, errorMessage, SatelliteError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Catalogue } from './catalogue.js';
import { folderOf } from './catalogue.js';
import type { CatalogueEntry } from './catalogue-schema.js';
import { withFileLock } from './file-lock.js';
import { removeFiles } from './install-files.js';
import { modelLockPath, pullEntry, workDir, type Converter, type InstallerOptions, type PullOutcome } from './installer.js';
import { readLock, updateLock, type LockEntry } from './lock-file.js';
import { HUGGING_FACE_ORIGIN, type MirrorMap } from './mirrors.js';
import type { ProgressReporter } from './progress.js';
import { verifyEntry } from './verify.js';

export interface ModelManagerOptions {
  modelsDir: string;
  catalogue: Catalogue;
  mirrors?: MirrorMap;
  log: Logger;
  progress?: ProgressReporter;
  retries?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  /** Proxy variables and HF_TOKEN; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Extra CA certificates for a private HTTPS mirror. */
  ca?: string | Buffer;
  converters?: InstallerOptions['converters'];
  /** After each model lands in models_dir. */
  onInstalled?: (entry: CatalogueEntry) => void;
  /** Before pulling a model whose licence is non-commercial or restricted. */
  onLicence?: (entry: CatalogueEntry) => void;
  onWait?: (entry: CatalogueEntry) => void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface PullOptions {
  /** Reinstall even when installed (and replace files that were modified). */
  force?: boolean;
  signal?: AbortSignal;
  /** An error after which the remaining models are skipped (e.g. no network at all). */
  stopOn?: (err: unknown) => boolean;
}

export interface PullReport {
  id: string;
  outcome: PullOutcome | 'failed' | 'skipped';
  error?: Error;
}

export interface ModelStatus {
  entry: CatalogueEntry;
  /** `installed`: in the lock; `present`: files on disk without a lock record. */
  state: 'installed' | 'present' | 'missing';
  lock?: LockEntry;
}

export function needsLicenceNotice(entry: CatalogueEntry): boolean {
  return entry.flags.includes('non-commercial') || entry.flags.includes('restricted');
}

export class ModelManager {
  constructor(private readonly options: ModelManagerOptions) {}

  get catalogue(): Catalogue {
    return this.options.catalogue;
  }

  get modelsDir(): string {
    return this.options.modelsDir;
  }

  /** Named models and presets, expanded with their requirements, in install order. */
  plan(ids: readonly string[], presets: readonly string[] = []): CatalogueEntry[] {
    const names = [...presets.flatMap((p) => this.catalogue.preset(p).map((e) => e.id)), ...ids];
    return this.catalogue.resolve(names);
  }

  /** Pulls in order; a failed model fails its dependents (skipped), the others go on. */
  async pull(entries: readonly CatalogueEntry[], options: PullOptions = {}): Promise<PullReport[]> {
    const reports: PullReport[] = [];
    const failed = new Set<string>();
    let stopped: Error | undefined;
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      const blocker = stopped ? 'an earlier download' : entry.requires.find((dep) => failed.has(dep));
      if (blocker) {
        failed.add(entry.id);
        reports.push({ id: entry.id, outcome: 'skipped', error: new SatelliteError('SAT_ERR_MODEL_SKIPPED', `${entry.id} skipped: ${blocker} failed`) });
        continue;
      }
      try {
        const status = (await this.status([entry]))[0];
        if (status?.state !== 'installed' && needsLicenceNotice(entry)) this.options.onLicence?.(entry);
        const outcome = await pullEntry(entry, this.#installerOptions(options.signal), options.force ?? false);
        if (outcome === 'installed') this.options.onInstalled?.(entry);
        reports.push({ id: entry.id, outcome });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        failed.add(entry.id);
        reports.push({ id: entry.id, outcome: 'failed', error: err as Error });
        if (options.stopOn?.(err)) stopped = err as Error;
      }
    }
    return reports;
  }

  /** Per installed model: the problems found (empty = verified). */
  async verify(ids: readonly string[] = []): Promise<Array<{ id: string; problems: string[] }>> {
    const lock = await readLock(this.modelsDir);
    const chosen = ids.length ? ids : Object.keys(lock.models).sort();
    const out: Array<{ id: string; problems: string[] }> = [];
    for (const id of chosen) {
      const record = lock.models[id];
      out.push({ id, problems: record ? await verifyEntry(this.modelsDir, record) : [`${id} is not installed`] });
    }
    return out;
  }

  /** Deletes installed models; refuses when an installed model still needs one, unless forced. */
  async remove(ids: readonly string[], options: { force?: boolean } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const id of ids) {
      const entry = this.catalogue.has(id) ? this.catalogue.get(id) : undefined;
      await withFileLock(modelLockPath(this.modelsDir, id), async () => {
        const lock = await readLock(this.modelsDir);
        const record = lock.models[id];
        if (!record && !entry) throw new SatelliteError('SAT_ERR_MODEL_UNKNOWN', `${id} is neither installed nor in the catalogue`);
        const users = this.catalogue.dependents(id).map((e) => e.id).filter((other) => lock.models[other] && !ids.includes(other));
        if (users.length && !options.force) {
          throw new SatelliteError('SAT_ERR_MODEL_IN_USE', `${id} is needed by ${users.join(', ')}; remove those too or use --force`);
        }
        const folder = record?.folder ?? (entry ? folderOf(entry) : id);
        if (this.catalogue.sharesFolder(id, folder)) await removeFiles(path.join(this.modelsDir, folder), Object.keys(record?.files ?? {}));
        else await rm(path.join(this.modelsDir, folder), { recursive: true, force: true });
        await this.#removePartials(id);
        await updateLock(this.modelsDir, (data) => {
          delete data.models[id];
        });
        removed.push(id);
      });
    }
    return removed;
  }

  async status(entries: readonly CatalogueEntry[] = this.catalogue.entries): Promise<ModelStatus[]> {
    const lock = await readLock(this.modelsDir);
    const out: ModelStatus[] = [];
    for (const entry of entries) {
      const record = lock.models[entry.id];
      if (record) out.push({ entry, state: 'installed', lock: record });
      else out.push({ entry, state: (await this.#onDisk(entry)) ? 'present' : 'missing' });
    }
    return out;
  }

  /** Installed models the catalogue does not list (voices from `models import-piper`, entries of a catalogue no longer configured). */
  async uncatalogued(): Promise<Array<{ id: string; lock: LockEntry }>> {
    const lock = await readLock(this.modelsDir);
    return Object.entries(lock.models)
      .filter(([id]) => !this.catalogue.has(id))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, record]) => ({ id, lock: record }));
  }

  async missing(entries: readonly CatalogueEntry[]): Promise<CatalogueEntry[]> {
    return (await this.status(entries)).filter((s) => s.state === 'missing').map((s) => s.entry);
  }

  async #onDisk(entry: CatalogueEntry): Promise<boolean> {
    const folder = path.join(this.modelsDir, folderOf(entry));
    if (entry.downloads.every((d) => d.path) && !entry.convert) {
      for (const d of entry.downloads) if (!(await stat(path.join(folder, d.path!)).catch(() => null))?.isFile()) return false;
      return true;
    }
    const names = await readdir(folder).catch(() => []);
    return names.length > 0;
  }

  async #removePartials(id: string): Promise<void> {
    const dir = path.join(workDir(this.modelsDir), 'partial');
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(`${id}.`) && name.endsWith('.part')) await rm(path.join(dir, name), { force: true });
    }
  }

  #installerOptions(signal: AbortSignal | undefined): InstallerOptions {
    const o = this.options;
    const env = o.env ?? process.env;
    return {
      modelsDir: o.modelsDir,
      catalogue: o.catalogue,
      mirrors: o.mirrors ?? {},
      download: {
        env,
        timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retries: o.retries,
        retryBaseMs: o.retryBaseMs,
        progress: o.progress,
        ca: o.ca,
        headersFor: (url: string) => authHeaders(url, env),
      },
      converters: o.converters ?? {},
      log: o.log,
      signal,
      onWait: o.onWait,
    };
  }
}

/** HF_TOKEN goes to Hugging Face only (and is dropped on a redirect to another host). */
export function authHeaders(url: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const token = env['HF_TOKEN']?.trim();
  return token && url.startsWith(HUGGING_FACE_ORIGIN) ? { authorization: `Bearer ${token}` } : {};
}

export function describeFailure(report: PullReport): string {
  return `${report.id}: ${errorMessage(report.error)} [${errorCode(report.error)}]`;
}

export type { Converter };
