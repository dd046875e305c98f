/**
 * One daemon per state dir. `<state_dir>/daemon.lock` names its owner: pid, host, boot id and
 * the process's start time, so a lock left by a crash (pid gone, pid reused by another program,
 * machine rebooted) never blocks a new start, while a live owner refuses it with a coded error.
 *
 * The lock is created whole and exclusively (written to a temp file, then hard-linked into
 * place, which fails if the name exists). A stale lock is removed only under a second exclusive
 * file, the takeover guard, after checking that it is still the same stale file, so two starts
 * that both find it stale cannot both remove it and both win: one creates the new lock, the
 * other then finds a live owner.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SatelliteError } from './errors.js';

export const INSTANCE_LOCK_FILE_NAME = 'daemon.lock';
/** A lock without a readable owner may still be being written (no hard links); it is stale after this. */
export const UNREADABLE_LOCK_STALE_MS = 10_000;
/** Rounds of create / find stale / take over before giving up on a lock that keeps changing. */
const MAX_ATTEMPTS = 20;
/** Wait when another start holds the takeover guard (it holds it for a moment only). */
const GUARD_RETRY_MS = 25;
/** link() errors meaning "this filesystem has no hard links": create with O_EXCL instead. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface InstanceLock {
  readonly path: string;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  bootId?: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime?: string;
  startedAt?: string;
}

/** What a lock file held when read: its raw text and inode tell one writing from another. */
interface Found {
  raw: string;
  ino: number;
  mtimeMs: number;
  owner: Owner | null;
}

/** Takes the state dir's lock or throws `SAT_ERR_ALREADY_RUNNING` naming the pid holding it. */
export async function acquireInstanceLock(stateDir: string): Promise<InstanceLock> {
  const dir = path.resolve(stateDir);
  await mkdir(dir, { recursive: true });
  const lockPath = path.join(dir, INSTANCE_LOCK_FILE_NAME);
  const mine = JSON.stringify(selfOwner());
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(lockPath, mine)) return heldLock(lockPath, mine);
    const found = await readLockFile(lockPath);
    if (!found) continue; // released in between
    if (isHeld(found)) throw alreadyRunning(dir, lockPath, found.owner);
    await removeStale(lockPath, found, mine);
  }
  throw alreadyRunning(dir, lockPath, (await readLockFile(lockPath))?.owner ?? null);
}

function heldLock(lockPath: string, mine: string): InstanceLock {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      if ((await readLockFile(lockPath))?.raw === mine) await rm(lockPath, { force: true });
    },
  };
}

/** Creates `file` holding `text`, complete or not at all; false if it exists. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw err;
    return createWithExcl(file, text);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function createWithExcl(file: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes a stale lock, but only while holding the guard and only if it is unchanged. */
async function removeStale(lockPath: string, stale: Found, mine: string): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  if (!(await createExclusive(guardPath, mine))) {
    const guard = await readLockFile(guardPath);
    // a start that crashed inside its takeover leaves the guard behind
    if (guard && !isHeld(guard) && sameFile(await readLockFile(guardPath), guard)) await rm(guardPath, { force: true });
    else await sleep(GUARD_RETRY_MS);
    return;
  }
  try {
    if (sameFile(await readLockFile(lockPath), stale)) await rm(lockPath, { force: true });
  } finally {
    await rm(guardPath, { force: true });
  }
}

function sameFile(a: Found | null, b: Found): boolean {
  return a !== null && a.ino === b.ino && a.raw === b.raw;
}

async function readLockFile(file: string): Promise<Found | null> {
  try {
    const info = await stat(file);
    const raw = await readFile(file, 'utf8');
    return { raw, ino: info.ino, mtimeMs: info.mtimeMs, owner: parseOwner(raw) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseOwner(raw: string): Owner | null {
  try {
    const value = JSON.parse(raw) as Partial<Owner>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    return value as Owner;
  } catch {
    return null;
  }
}

/** Whether the lock's owner may still be running. Unsure (another host, no /proc) counts as yes. */
function isHeld({ owner, mtimeMs }: Found): boolean {
  if (!owner) return Date.now() - mtimeMs < UNREADABLE_LOCK_STALE_MS;
  if (owner.host !== hostname()) return true;
  const bootId = readBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // the pid exists (maybe as another user's process): is it still the process that wrote the lock?
  const startTime = processStartTime(owner.pid);
  return !owner.startTime || !startTime || owner.startTime === startTime;
}

function selfOwner(): Owner {
  const owner: Owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const bootId = readBootId();
  const startTime = processStartTime(process.pid);
  if (bootId) owner.bootId = bootId;
  if (startTime) owner.startTime = startTime;
  return owner;
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function processStartTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name, which is in parentheses and may itself contain spaces
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function alreadyRunning(stateDir: string, lockPath: string, owner: Owner | null): SatelliteError {
  const who = !owner ? 'another satellite daemon (pid unknown)' : `another satellite daemon (pid ${owner.pid}${owner.host === hostname() ? '' : ` on host ${owner.host}`})`;
  return new SatelliteError(
    'SAT_ERR_ALREADY_RUNNING',
    `${who} is already running with state dir ${stateDir}; stop it first or give this one another state_dir (lock: ${lockPath})`,
  );
}
