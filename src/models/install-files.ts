/**
 * Turning verified downloads into an installed model folder: unpack archives into staging,
 * check the pinned members, hash everything the runtime will open, and move the result into
 * place with renames so a half-installed model never exists under models_dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { SatelliteError } from '../util/errors.js';
import { extractArchive, listTree, removeExcluded, singleTopDir } from './archive.js';
import type { CatalogueDownload } from './catalogue-schema.js';
import { sha256File } from './hash.js';
import type { LockedFile } from './lock-file.js';

/** Unpacks `archiveFile` and merges its (top-folder-stripped) contents into `stagingDir`. */
export async function unpackInto(archiveFile: string, download: CatalogueDownload, stagingDir: string, signal?: AbortSignal): Promise<void> {
  const unpackDir = path.join(stagingDir, `.unpack-${randomBytes(4).toString('hex')}`);
  await mkdir(unpackDir, { recursive: true });
  try {
    await extractArchive(archiveFile, download.archive ?? 'tar.bz2', unpackDir, signal);
    const root = await singleTopDir(unpackDir);
    await removeExcluded(root, download.exclude);
    await checkMembers(root, download);
    await moveTree(root, stagingDir);
  } finally {
    await rm(unpackDir, { recursive: true, force: true });
  }
}

async function checkMembers(root: string, download: CatalogueDownload): Promise<void> {
  for (const [rel, pin] of Object.entries(download.files)) {
    const got = await sha256File(path.join(root, rel)).catch(() => null);
    if (!got) {
      throw new SatelliteError('SAT_ERR_MODEL_ARCHIVE', `upstream changed: ${rel} is missing from ${path.basename(new URL(download.url).pathname)}`);
    }
    if (got.sha256 !== pin.sha256 || (pin.size !== undefined && got.size !== pin.size)) {
      throw new SatelliteError(
        'SAT_ERR_MODEL_HASH_MISMATCH',
        `upstream changed: archive member ${rel} has sha256 ${got.sha256} (${got.size} B), expected ${pin.sha256}; nothing was installed`,
      );
    }
  }
}

/** Moves every entry of `from` into `to` (merging folders), by rename. */
export async function moveTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.unpack-')) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      const existing = await readdir(dst).catch(() => null);
      if (existing) {
        await moveTree(src, dst);
        await rmdir(src).catch(() => undefined);
        continue;
      }
    }
    await rename(src, dst);
  }
}

/** sha256 and size of every plain file in the folder (relative POSIX paths). */
export async function hashTree(root: string, allowLinksWithin: string = root): Promise<Record<string, LockedFile>> {
  const out: Record<string, LockedFile> = {};
  for (const rel of await listTree(root, allowLinksWithin)) out[rel] = await sha256File(path.join(root, rel));
  return out;
}

/**
 * Puts a staged folder in place. An exclusive folder is swapped in whole (old copy renamed
 * away first, then deleted); a shared folder (openWakeWord) receives each file by rename.
 */
export async function placeStaged(stagingDir: string, target: string, shared: boolean, workDir: string): Promise<void> {
  if (shared) {
    await moveTree(stagingDir, target);
    await rm(stagingDir, { recursive: true, force: true });
    return;
  }
  const trash = path.join(workDir, `trash-${path.basename(target)}-${randomBytes(4).toString('hex')}`);
  let moved = false;
  try {
    await rename(target, trash);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(stagingDir, target);
  if (moved) await rm(trash, { recursive: true, force: true });
}

/** Deletes the given files of a shared folder, then the folder itself if nothing is left. */
export async function removeFiles(folder: string, files: readonly string[]): Promise<void> {
  for (const rel of files) await rm(path.join(folder, rel), { force: true });
  const left = await readdir(folder).catch(() => null);
  if (left && left.length === 0) await rmdir(folder).catch(() => undefined);
}
