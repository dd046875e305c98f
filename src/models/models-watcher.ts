/**
 * Watches models_dir so that a model installed or removed by anyone (this daemon, `satellite
 * models pull` in a shell, a folder copied in by hand) leads to one `onChange()` per burst of
 * changes, after the burst has gone quiet.
 *
 * One fs.watch per folder, not `{ recursive: true }`: Node 20's recursive mode on Linux reads
 * the whole tree synchronously and watches every file, the installer's work dir included.
 * The work dir (partial downloads, staging, locks, trash) and hidden entries are never watched
 * or counted, so a download becomes visible only when its finished folder is renamed into place.
 * If watching fails (inotify limits, EMFILE), the watcher logs once and polls a fingerprint of
 * the listing instead. A models_dir that is missing, deleted or replaced is waited for by polling.
 */
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { LOCK_FILE_NAME, WORK_DIR_NAME } from './lock-file.js';

/** A burst of changes counts as finished after this long without another change. */
export const MODELS_QUIET_MS = 1_500;
/** A change that never goes quiet (a long copy) still triggers this long after it began. */
export const MODELS_MAX_WAIT_MS = 15_000;
/** How often a missing models_dir is looked for, and the listing polled when watching failed. */
export const MODELS_POLL_MS = 3_000;
/** Bound on folder watches (inotify handles); deeper folders are then seen only via their parents. */
export const MAX_WATCHED_DIRS = 2_000;

const GONE = new Set(['ENOENT', 'ENOTDIR']);
const DENIED = new Set(['EACCES', 'EPERM']);

type WatchFn = (dir: string, listener: (event: string, name: string | null) => void) => FSWatcher;

export interface ModelsWatcherOptions {
  modelsDir: string;
  /** The serialised rescan. Never called twice at once by this watcher; errors are logged. */
  onChange: () => void | Promise<void>;
  log: Logger;
  quietMs?: number;
  maxWaitMs?: number;
  pollMs?: number;
  /** Replaces node:fs `watch`; tests use it to make watching fail. */
  watch?: WatchFn;
}

/** stopped → (absent ⇄ watching) → polling once watching has failed; stop() from anywhere. */
type Mode = 'stopped' | 'absent' | 'watching' | 'polling';

interface Watched {
  handle: FSWatcher;
  ino: number;
}

export class ModelsWatcher {
  readonly #root: string;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #watch: WatchFn;
  readonly #burst: Burst;
  readonly #watched = new Map<string, Watched>();
  #mode: Mode = 'stopped';
  #pollTimer: NodeJS.Timeout | undefined;
  #fingerprint = '';
  #capWarned = false;

  constructor(options: ModelsWatcherOptions) {
    this.#root = path.resolve(options.modelsDir);
    this.#log = options.log;
    this.#pollMs = options.pollMs ?? MODELS_POLL_MS;
    this.#watch = options.watch ?? ((dir, listener) => fsWatch(dir, listener));
    this.#burst = new Burst(options.quietMs ?? MODELS_QUIET_MS, options.maxWaitMs ?? MODELS_MAX_WAIT_MS, options.onChange, options.log);
  }

  /** Resolves once every folder is watched (or the wait for a missing models_dir has begun). */
  async start(): Promise<void> {
    if (this.#mode !== 'stopped') return;
    this.#mode = 'absent';
    this.#burst.resume();
    await this.#enter();
  }

  /** Frees every watch and timer; no `onChange` starts afterwards. Safe to call twice. */
  stop(): void {
    this.#mode = 'stopped';
    this.#unwatchBelow(this.#root);
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#burst.cancel();
  }

  /** Watches models_dir if it is there, otherwise polls until it appears; true once it is watched. */
  async #enter(): Promise<boolean> {
    const info = await stat(this.#root).catch(() => null);
    if (this.#mode !== 'absent') return false;
    if (!info?.isDirectory()) {
      this.#log.debug({ dir: this.#root }, 'models_dir does not exist (yet); waiting for it');
      this.#schedulePoll();
      return false;
    }
    this.#mode = 'watching';
    await this.#arm(this.#root);
    if (this.#mode !== 'watching') return false;
    if (!this.#watched.has(this.#root)) {
      this.#mode = 'absent'; // gone again before it could be watched
      this.#schedulePoll();
      return false;
    }
    this.#log.debug({ dir: this.#root, folders: this.#watched.size }, 'watching models_dir');
    return true;
  }

  /** Watches `dir` (again, if it is a new folder under the same name) and every folder below it. */
  async #arm(dir: string): Promise<void> {
    // models_dir itself may be a symlink (to a bigger disk); links below it are not followed
    const info = await (dir === this.#root ? stat(dir) : lstat(dir)).catch(() => null);
    if (this.#mode !== 'watching' || !info?.isDirectory()) return;
    const known = this.#watched.get(dir);
    if (known?.ino === info.ino) return;
    if (known) this.#unwatchBelow(dir);
    if (this.#watched.size >= MAX_WATCHED_DIRS) {
      if (!this.#capWarned) this.#log.warn({ dir, limit: MAX_WATCHED_DIRS }, 'too many folders under models_dir to watch each one');
      this.#capWarned = true;
      return;
    }
    let handle: FSWatcher;
    try {
      handle = this.#watch(dir, (_event, name) => this.#onEvent(dir, name));
    } catch (err) {
      // a vanished folder is left to its parent's events, an unreadable subfolder is skipped;
      // anything else (watch limits, models_dir unreadable) means polling instead
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (GONE.has(code) || (dir !== this.#root && DENIED.has(code))) return;
      this.#fallBack(err, false);
      return;
    }
    handle.on('error', (err) => this.#fallBack(err, true));
    this.#watched.set(dir, { handle, ino: info.ino });
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && !isIgnored(this.#root, dir, entry.name)) await this.#arm(path.join(dir, entry.name));
    }
  }

  #onEvent(dir: string, name: string | null): void {
    if (this.#mode !== 'watching') return;
    if (name !== null && isIgnored(this.#root, dir, name)) return;
    this.#burst.poke();
    if (dir === this.#root) void this.#guard(this.#checkRoot());
    void this.#guard(this.#follow(name === null ? dir : path.join(dir, name)));
  }

  /** Keeps the watches in step with one changed entry: new folders armed, vanished ones dropped. */
  async #follow(target: string): Promise<void> {
    const info = await lstat(target).catch(() => null);
    if (this.#mode !== 'watching') return;
    if (info?.isDirectory()) await this.#arm(target);
    else this.#unwatchBelow(target);
  }

  /** models_dir itself deleted, or moved away and replaced: start over from the path. */
  async #checkRoot(): Promise<void> {
    const info = await stat(this.#root).catch(() => null);
    if (this.#mode !== 'watching') return;
    if (info?.isDirectory() && info.ino === this.#watched.get(this.#root)?.ino) return;
    this.#unwatchBelow(this.#root);
    this.#mode = 'absent';
    await this.#enter();
  }

  /** `missed`: a live watch failed, so changes may have gone unseen; rescan to be sure. */
  #fallBack(err: unknown, missed: boolean): void {
    if (this.#mode === 'stopped' || this.#mode === 'polling') return;
    this.#log.warn({ err: errorMessage(err), dir: this.#root, every_ms: this.#pollMs }, 'cannot watch models_dir; polling it instead');
    this.#unwatchBelow(this.#root);
    clearTimeout(this.#pollTimer);
    this.#mode = 'polling';
    if (missed) this.#burst.poke();
    void this.#guard(
      listingFingerprint(this.#root).then((fingerprint) => {
        this.#fingerprint = fingerprint;
        if (this.#mode === 'polling') this.#schedulePoll();
      }),
    );
  }

  #schedulePoll(): void {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => void this.#guard(this.#poll()), this.#pollMs);
  }

  async #poll(): Promise<void> {
    this.#pollTimer = undefined;
    if (this.#mode === 'absent') {
      // #enter looks for the folder itself: a separate look first could miss a folder created
      // between the two, which would then be watched without its arrival counting as a change
      if (await this.#enter()) this.#burst.poke();
      return;
    }
    if (this.#mode !== 'polling') return;
    const fingerprint = await listingFingerprint(this.#root);
    if (this.#mode !== 'polling') return;
    if (fingerprint !== this.#fingerprint) this.#burst.poke();
    this.#fingerprint = fingerprint;
    this.#schedulePoll();
  }

  #unwatchBelow(dir: string): void {
    for (const [watchedDir, { handle }] of this.#watched) {
      if (watchedDir === dir || watchedDir.startsWith(dir + path.sep)) {
        handle.close();
        this.#watched.delete(watchedDir);
      }
    }
  }

  /** Internal work runs detached from the event that caused it; it must never reject unseen. */
  async #guard(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.#fallBack(err, true);
    }
  }
}

/** Calls `fire` once a burst of pokes has been quiet for `quietMs`, or `maxWaitMs` after it began. */
class Burst {
  #timer: NodeJS.Timeout | undefined;
  #firstAt: number | undefined;
  #running = false;
  #again = false;
  #cancelled = false;

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly fire: () => void | Promise<void>,
    private readonly log: Logger,
  ) {}

  poke(): void {
    if (this.#cancelled) return;
    const now = performance.now();
    this.#firstAt ??= now;
    clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.#firstAt + this.maxWaitMs - now));
    this.#timer = setTimeout(() => void this.#flush(), wait);
  }

  resume(): void {
    this.#cancelled = false;
  }

  cancel(): void {
    this.#cancelled = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    this.#firstAt = undefined;
    if (this.#running) {
      this.#again = true; // a burst ended during the last call: one more call once it returns
      return;
    }
    this.#running = true;
    try {
      await this.fire();
    } catch (err) {
      this.log.warn({ err }, 'models rescan after a change in models_dir failed');
    } finally {
      this.#running = false;
    }
    if (this.#again && !this.#cancelled) {
      this.#again = false;
      await this.#flush();
    }
  }
}

/** The work dir, hidden entries and the models lock file (with its temp files) are not models. */
function isIgnored(root: string, dir: string, name: string): boolean {
  if (name.startsWith('.')) return true;
  return dir === root && (name === WORK_DIR_NAME || name.startsWith(LOCK_FILE_NAME));
}


/**
 * Name, inode, size and mtime of each top-level entry and of the entries one level inside
 * model folders: a flat model folder filling up changes its files' sizes, not its own mtime.
 */
async function listingFingerprint(root: string): Promise<string> {
  const lines: string[] = [];
  const visit = async (dir: string, depth: number): Promise<boolean> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
    if (!entries) return false;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (isIgnored(root, dir, entry.name)) continue;
      const full = path.join(dir, entry.name);
      const info = await lstat(full).catch(() => null);
      lines.push(`${path.relative(root, full)}\t${info?.ino}\t${info?.size}\t${info?.mtimeMs}`);
      if (depth === 0 && entry.isDirectory()) await visit(full, 1);
    }
    return true;
  };
  return (await visit(root, 0)) ? lines.join('\n') : 'absent';
}
