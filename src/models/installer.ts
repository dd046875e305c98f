/**
 * Pulls one catalogue entry: downloads each file (mirror-rewritten URL, pinned or TOFU digest),
 * stages and converts it, records per-file hashes and moves it into place, all under the
 * model's cross-process lock so concurrent pulls of one model wait for each other and the second
 * finds it installed.
 */
import { mkdir, mkdtemp, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { SatelliteError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Catalogue } from './catalogue.js';
import { downloadSize, folderOf } from './catalogue.js';
import type { CatalogueDownload, CatalogueEntry, Pin } from './catalogue-schema.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { withFileLock } from './file-lock.js';
import { hashTree, placeStaged, unpackInto } from './install-files.js';
import { readLock, updateLock, WORK_DIR_NAME, type LockEntry, type LockedDownload } from './lock-file.js';
import { applyMirrors, type MirrorMap } from './mirrors.js';
import { fileMatches } from './hash.js';
import { verifyEntry } from './verify.js';

/** Unpacked archives need room for the archive and its contents at once. */
const ARCHIVE_SPACE_FACTOR = 2.5;

/** Converts staged downloads in place (e.g. a Piper voice into a sherpa-onnx voice folder). */
export type Converter = (stagingDir: string, entry: CatalogueEntry, modelsDir: string) => Promise<void>;

export interface InstallerOptions {
  modelsDir: string;
  catalogue: Catalogue;
  mirrors: MirrorMap;
  download: Omit<DownloadOptions, 'signal' | 'log'>;
  converters: Partial<Record<NonNullable<CatalogueEntry['convert']>, Converter>>;
  log: Logger;
  signal?: AbortSignal;
  /** Told when another process holds the model's lock. */
  onWait?: (entry: CatalogueEntry) => void;
}

export type PullOutcome = 'installed' | 'present';

export function workDir(modelsDir: string): string {
  return path.join(modelsDir, WORK_DIR_NAME);
}

/** The cross-process lock for work on one model (pull and remove take the same one). */
export function modelLockPath(modelsDir: string, id: string): string {
  return path.join(workDir(modelsDir), 'locks', `${id}.lock`);
}

export async function pullEntry(entry: CatalogueEntry, options: InstallerOptions, force = false): Promise<PullOutcome> {
  return withFileLock(modelLockPath(options.modelsDir, entry.id), () => pullLocked(entry, options, force), {
    signal: options.signal,
    onWait: () => options.onWait?.(entry),
  });
}

async function pullLocked(entry: CatalogueEntry, options: InstallerOptions, force: boolean): Promise<PullOutcome> {
  const { modelsDir } = options;
  const previous = (await readLock(modelsDir)).models[entry.id];
  if (previous && !force) {
    const problems = await verifyEntry(modelsDir, previous);
    if (!problems.length) return 'present';
    throw new SatelliteError(
      'SAT_ERR_MODEL_MODIFIED',
      `file modified: ${entry.id} no longer matches its lock (${problems.join('; ')}); \`satellite models pull --force ${entry.id}\` reinstalls it`,
    );
  }
  if (!previous && !force && (await adoptExisting(entry, options))) return 'present';
  await checkSpace(entry, modelsDir);
  await mkdir(path.join(workDir(modelsDir), 'partial'), { recursive: true });
  const staging = await mkdtemp(path.join(workDir(modelsDir), `staging-${entry.id}-`));
  try {
    const downloads: LockedDownload[] = [];
    for (const [index, download] of entry.downloads.entries()) {
      downloads.push(await fetchInto(entry, index, download, staging, previous, options));
    }
    const converter = entry.convert ? options.converters[entry.convert] : undefined;
    if (entry.convert && !converter) {
      throw new SatelliteError('SAT_ERR_MODEL_CONVERT', `${entry.id} needs the "${entry.convert}" conversion, which this build does not offer`);
    }
    if (converter) await converter(staging, entry, modelsDir);
    // a conversion may link shared data (espeak-ng-data) from elsewhere; archives may not
    const files = await hashTree(staging, converter ? path.parse(modelsDir).root : staging);
    const folder = folderOf(entry);
    await placeStaged(staging, path.join(modelsDir, folder), options.catalogue.sharesFolder(entry.id, folder), workDir(modelsDir));
    await updateLock(modelsDir, (data) => {
      data.models[entry.id] = lockRecord(entry, downloads, files);
    });
    return 'installed';
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function fetchInto(
  entry: CatalogueEntry,
  index: number,
  download: CatalogueDownload,
  staging: string,
  previous: LockEntry | undefined,
  options: InstallerOptions,
): Promise<LockedDownload> {
  const url = applyMirrors(download.url, options.mirrors);
  const pins = acceptedPins(download, previous);
  const part = path.join(workDir(options.modelsDir), 'partial', `${entry.id}.${index}.part`);
  const label = `${entry.id}: ${path.basename(new URL(download.url).pathname)}`;
  const log = options.log.child({ model: entry.id });
  const firstUse = pins.length === 0;
  if (firstUse) log.warn({ url }, 'no published pin: trusting this first download and recording its hash');
  const result = await downloadFile({ url, dest: part, pins, label }, { ...options.download, signal: options.signal, log });
  if (firstUse) log.warn({ sha256: result.sha256, size: result.size, url }, 'recorded first-use hash');
  try {
    if (download.archive) {
      await unpackInto(part, download, staging, options.signal);
    } else {
      const dest = path.join(staging, download.path!);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(part, dest);
    }
  } finally {
    // a complete, verified download is never resumed: drop it whether or not it unpacked
    await rm(part, { force: true });
  }
  return {
    source: download.url,
    ...(result.url !== download.url ? { fetchedFrom: result.url } : {}),
    sha256: result.sha256,
    size: result.size,
    trust: download.pins.length ? 'pinned' : 'tofu',
    pinSource: download.pin_source,
  };
}

/** Catalogue pins, or for a TOFU download the digest recorded the first time (any size). */
function acceptedPins(download: CatalogueDownload, previous: LockEntry | undefined): Pin[] {
  if (download.pins.length) return download.pins;
  const recorded = previous?.downloads.find((d) => d.source === download.url);
  return recorded ? [{ sha256: recorded.sha256, size: recorded.size }] : [];
}

function lockRecord(entry: CatalogueEntry, downloads: LockedDownload[], files: LockEntry['files']): LockEntry {
  const first = downloads[0]!;
  return {
    source: first.source,
    sha256: first.sha256,
    size: downloads.reduce((n, d) => n + d.size, 0),
    trust: downloads.every((d) => d.trust === 'pinned') ? 'pinned' : 'tofu',
    pinSource: first.pinSource,
    folder: folderOf(entry),
    kind: entry.kind,
    downloads,
    files,
    fetchedAt: new Date().toISOString(),
  };
}

/** Single-file models already on disk with pinned bytes are recorded instead of downloaded again. */
async function adoptExisting(entry: CatalogueEntry, options: InstallerOptions): Promise<boolean> {
  if (entry.convert || entry.downloads.some((d) => d.archive || !d.pins.length)) return false;
  const folder = path.join(options.modelsDir, folderOf(entry));
  const downloads: LockedDownload[] = [];
  const files: LockEntry['files'] = {};
  for (const d of entry.downloads) {
    const file = path.join(folder, d.path!);
    const pin = await firstMatchingPin(file, d.pins);
    if (!pin) return false;
    downloads.push({ source: d.url, sha256: pin.sha256, size: pin.size, trust: 'pinned', pinSource: d.pin_source });
    files[d.path!] = { sha256: pin.sha256, size: pin.size };
  }
  await updateLock(options.modelsDir, (data) => {
    data.models[entry.id] = lockRecord(entry, downloads, files);
  });
  options.log.info({ model: entry.id }, 'already on disk with the pinned bytes; recorded in the lock');
  return true;
}

async function firstMatchingPin(file: string, pins: readonly Pin[]): Promise<Pin | undefined> {
  for (const pin of pins) if (await fileMatches(file, pin)) return pin;
  return undefined;
}

async function checkSpace(entry: CatalogueEntry, modelsDir: string): Promise<void> {
  const size = downloadSize(entry);
  if (!size) return;
  await mkdir(modelsDir, { recursive: true });
  const needed = entry.downloads.some((d) => d.archive) ? size * ARCHIVE_SPACE_FACTOR : size;
  const fs = await statfs(modelsDir);
  const free = fs.bavail * fs.bsize;
  if (free < needed) {
    throw new SatelliteError(
      'SAT_ERR_MODEL_NO_SPACE',
      `not enough disk space for ${entry.id}: needs about ${Math.ceil(needed / 1e6)} MB in ${modelsDir}, ${Math.floor(free / 1e6)} MB free`,
    );
  }
}

