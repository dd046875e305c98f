/**
 * `<models_dir>/models.lock.json`: what was installed, from where, with which digest and trust
 * (`pinned` from the catalogue, `tofu` from a first download), and the hash of every file the
 * runtime opens, so `verify` works without the archive. Written atomically (temp + rename) under
 * a cross-process lock.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SatelliteError } from '../util/errors.js';
import { withFileLock } from './file-lock.js';

export const LOCK_FILE_NAME = 'models.lock.json';
/** Housekeeping folder inside models_dir: lock files, partial downloads, staging. */
export const WORK_DIR_NAME = '.satellite';

const fileRecord = z.object({ sha256: z.string(), size: z.number().int().min(0) });
const trust = z.enum(['pinned', 'tofu']);
const downloadRecord = z.object({
  source: z.string(),
  fetchedFrom: z.string().optional(),
  sha256: z.string(),
  size: z.number().int().min(0),
  trust,
  pinSource: z.string(),
});
const entryRecord = z.object({
  source: z.string(),
  sha256: z.string(),
  size: z.number().int().min(0),
  trust,
  pinSource: z.string(),
  folder: z.string(),
  kind: z.string(),
  /** The engine backend, for models the catalogue does not list (an imported Piper voice). */
  backend: z.string().optional(),
  downloads: z.array(downloadRecord),
  files: z.record(z.string(), fileRecord),
  fetchedAt: z.string(),
});
const lockSchema = z.object({ version: z.literal(1), models: z.record(z.string(), entryRecord) });

export type LockedFile = z.output<typeof fileRecord>;
export type LockedDownload = z.output<typeof downloadRecord>;
export type LockEntry = z.output<typeof entryRecord>;
export type LockData = z.output<typeof lockSchema>;

export function lockFilePath(modelsDir: string): string {
  return path.join(modelsDir, LOCK_FILE_NAME);
}

export async function readLock(modelsDir: string): Promise<LockData> {
  let text: string;
  try {
    text = await readFile(lockFilePath(modelsDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, models: {} };
    throw err;
  }
  const parsed = lockSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new SatelliteError(
      'SAT_ERR_MODEL_LOCK_INVALID',
      `${lockFilePath(modelsDir)} is damaged (${parsed.error.issues[0]?.message ?? 'not JSON'}); move it away and run \`satellite models pull\` again`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** Read-modify-write under the lock-file mutex; `change` edits the data in place. */
export async function updateLock(modelsDir: string, change: (data: LockData) => void): Promise<void> {
  const lockPath = path.join(modelsDir, WORK_DIR_NAME, 'locks', `${LOCK_FILE_NAME}.lock`);
  await withFileLock(lockPath, async () => {
    const data = await readLock(modelsDir);
    change(data);
    await mkdir(modelsDir, { recursive: true });
    const tmp = `${lockFilePath(modelsDir)}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
    await rename(tmp, lockFilePath(modelsDir));
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
