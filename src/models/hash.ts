/** SHA-256 of files on disk, streamed so large models never sit in memory. */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export async function hashInto(hash: Hash, file: string): Promise<number> {
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return size;
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const size = await hashInto(hash, file);
  return { sha256: hash.digest('hex'), size };
}

/** Size first (cheap), then the digest; null when the file is missing. */
export async function fileMatches(file: string, expected: { sha256: string; size?: number | undefined }): Promise<boolean | null> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  if (expected.size !== undefined && info.size !== expected.size) return false;
  return (await sha256File(file)).sha256 === expected.sha256;
}
