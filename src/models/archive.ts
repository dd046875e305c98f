/**
 * Unpacking downloaded archives with the system tools (`tar` + `bzip2`, `unzip`) into a staging
 * folder, then shaping the result: one top-level folder stripped, excluded members removed, and
 * anything that is not a plain file, a folder or a link staying inside the tree refused.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, readlink, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { SatelliteError } from '../util/errors.js';

/** Generous bound for unpacking a multi-hundred-MB archive on a slow SD card. */
export const EXTRACT_TIMEOUT_MS = 30 * 60_000;
const TOOL_STDERR_LIMIT = 64 * 1024;

export type ArchiveFormat = 'tar.bz2' | 'zip';

export async function extractArchive(file: string, format: ArchiveFormat, destDir: string, signal?: AbortSignal): Promise<void> {
  const [tool, args] =
    format === 'zip'
      ? (['unzip', ['-q', '-o', file, '-d', destDir]] as const)
      : (['tar', ['-x', '-j', '--no-same-owner', '-f', file, '-C', destDir]] as const);
  await new Promise<void>((resolve, reject) => {
    execFile(tool, args, { timeout: EXTRACT_TIMEOUT_MS, maxBuffer: TOOL_STDERR_LIMIT, signal }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      const hint = missing ? `the \`${tool}\` program is not installed (apt install ${format === 'zip' ? 'unzip' : 'tar bzip2'})` : stderr.trim() || err.message;
      reject(new SatelliteError('SAT_ERR_MODEL_ARCHIVE', `cannot unpack ${path.basename(file)}: ${hint}`, { cause: err }));
    });
  });
}

/** When the archive holds exactly one folder (and nothing else), that folder is the model. */
export async function singleTopDir(dir: string): Promise<string> {
  const names = await readdir(dir);
  if (names.length !== 1) return dir;
  const only = path.join(dir, names[0]!);
  return (await lstat(only)).isDirectory() ? only : dir;
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Every plain file under `root`, as sorted POSIX-style relative paths. Links are allowed only
 * when they stay inside `allowLinksWithin` (a Piper voice may link to the shared espeak-ng-data).
 */
export async function listTree(root: string, allowLinksWithin: string = root): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(rel);
      else if (entry.isSymbolicLink()) {
        const target = path.resolve(path.dirname(full), await readlink(full));
        const inside = path.relative(allowLinksWithin, target);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          throw new SatelliteError('SAT_ERR_MODEL_ARCHIVE', `archive member ${rel} links outside the model folder`);
        }
      } else throw new SatelliteError('SAT_ERR_MODEL_ARCHIVE', `archive member ${rel} is not a regular file`);
    }
  };
  await walk(root);
  return out.sort();
}

/** Deletes members matching any pattern, then any folders left empty. */
export async function removeExcluded(root: string, patterns: readonly string[]): Promise<void> {
  if (!patterns.length) return;
  const regexps = patterns.map(globToRegExp);
  for (const rel of await listTree(root)) {
    if (regexps.some((re) => re.test(rel))) await rm(path.join(root, rel), { force: true });
  }
  await pruneEmpty(root, root);
}

async function pruneEmpty(dir: string, root: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await pruneEmpty(path.join(dir, entry.name), root);
  }
  if (dir !== root && (await readdir(dir)).length === 0) await rmdir(dir);
}
