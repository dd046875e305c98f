/**
 * Mutual exclusion for work on one model, inside one process (a promise chain) and across
 * processes (an exclusive lock file holding the owner's pid). A lock whose owner process is gone
 * is taken over, so a crashed pull never blocks the next one.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_POLL_MS = 200;
/** A lock file nobody could read an owner from is considered abandoned after this long. */
export const UNREADABLE_LOCK_STALE_MS = 60_000;

const inProcess = new Map<string, Promise<unknown>>();

interface Owner {
  pid: number;
  host: string;
}

export interface LockWaitOptions {
  signal?: AbortSignal;
  /** Called once when the lock is held by another process. */
  onWait?: (owner: Owner | null) => void;
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockWaitOptions = {}): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const chained = previous.then(() => mine);
  inProcess.set(lockPath, chained);
  try {
    await previous.catch(() => undefined);
    if (options.signal?.aborted) options.signal.throwIfAborted();
    await acquire(lockPath, options);
    try {
      return await fn();
    } finally {
      await rm(lockPath, { force: true });
    }
  } finally {
    release();
    if (inProcess.get(lockPath) === chained) inProcess.delete(lockPath);
  }
}

async function acquire(lockPath: string, options: LockWaitOptions): Promise<void> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(lockPath);
    if (await isStale(lockPath, owner)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(owner);
    }
    await sleep(LOCK_POLL_MS, undefined, { signal: options.signal });
  }
}

async function readOwner(lockPath: string): Promise<Owner | null> {
  try {
    const value = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<Owner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host } : null;
  } catch {
    return null;
  }
}

async function isStale(lockPath: string, owner: Owner | null): Promise<boolean> {
  if (!owner) {
    const info = await stat(lockPath).catch(() => null);
    return info !== null && Date.now() - info.mtimeMs > UNREADABLE_LOCK_STALE_MS;
  }
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
