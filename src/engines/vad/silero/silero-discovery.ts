/** Finds an installed Silero VAD model: a configured path or folder name, else the first under models_dir. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const SILERO_FILE = /^silero_vad.*\.onnx$/;

async function kind(p: string): Promise<'file' | 'dir' | undefined> {
  return stat(p).then(
    (s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined),
    () => undefined,
  );
}

/** The Silero file in `dir`, preferring the newest version (v6 over v5). */
export async function sileroIn(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const matches = names.filter((n) => SILERO_FILE.test(n)).sort().reverse();
  return matches[0] ? path.join(dir, matches[0]) : undefined;
}

/** `configured` may be an .onnx path, a folder, or a folder name under `modelsDir`. */
export async function findSileroModel(modelsDir: string, configured: string | null): Promise<string | undefined> {
  if (configured) {
    const candidate = path.resolve(modelsDir, configured);
    const k = await kind(candidate);
    if (k === 'file') return candidate;
    if (k === 'dir') return sileroIn(candidate);
    return undefined;
  }
  const top = await sileroIn(modelsDir);
  if (top) return top;
  const entries = await readdir(modelsDir).catch(() => [] as string[]);
  for (const entry of entries.sort()) {
    const dir = path.join(modelsDir, entry);
    if ((await kind(dir)) !== 'dir') continue;
    const found = await sileroIn(dir);
    if (found) return found;
  }
  return undefined;
}
