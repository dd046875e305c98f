/** Checks installed files against the hashes recorded in the lock file. */
import path from 'node:path';
import { fileMatches } from './hash.js';
import type { LockEntry } from './lock-file.js';

/** Problems found ("missing x", "modified y"); empty when every recorded file matches. */
export async function verifyEntry(modelsDir: string, entry: LockEntry): Promise<string[]> {
  const problems: string[] = [];
  const folder = path.join(modelsDir, entry.folder);
  for (const [rel, expected] of Object.entries(entry.files)) {
    const ok = await fileMatches(path.join(folder, rel), expected);
    if (ok === null) problems.push(`missing ${entry.folder}/${rel}`);
    else if (!ok) problems.push(`modified ${entry.folder}/${rel}`);
  }
  return problems;
}
