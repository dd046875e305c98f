/**
 * Finds wake-word models under the models folder: every openWakeWord folder and every
 * keyword-spotter folder (one level down), in a stable order so names do not change between
 * scans. Heads sharing one front end are grouped so they run as one engine.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { findOpenWakeWordFolder, type OwwHeadFile } from './openwakeword/openwakeword-files.js';
import { findKwsFolder, type KwsFolder } from './sherpa-kws/kws-files.js';

export interface OwwEngineSpec {
  kind: 'openwakeword';
  id: string;
  melspectrogram: string;
  embedding: string;
  heads: Array<OwwHeadFile & { languages: string[] }>;
}

export interface KwsEngineSpec {
  kind: 'kws';
  id: string;
  folder: KwsFolder;
}

/** Sub-folders of `dir`, sorted; none when it does not exist. */
export function modelFolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

export function discoverOpenWakeWord(modelsDir: string): OwwEngineSpec[] {
  const out: OwwEngineSpec[] = [];
  for (const dir of modelFolders(modelsDir)) {
    const folder = findOpenWakeWordFolder(dir);
    if (!folder) continue;
    out.push({
      kind: 'openwakeword',
      id: path.basename(dir),
      melspectrogram: folder.melspectrogram,
      embedding: folder.embedding,
      heads: folder.heads.map((h) => ({ ...h, languages: ['en'] })),
    });
  }
  return out;
}

export function discoverKws(modelsDir: string): KwsEngineSpec[] {
  const out: KwsEngineSpec[] = [];
  for (const dir of modelFolders(modelsDir)) {
    const folder = findKwsFolder(dir);
    if (folder) out.push({ kind: 'kws', id: path.basename(dir), folder });
  }
  return out;
}

/**
 * Merges openWakeWord specs that use the same front end files into one engine (first id wins,
 * a head name already present is not added twice).
 */
export function groupByBackbone(specs: OwwEngineSpec[]): OwwEngineSpec[] {
  const groups = new Map<string, OwwEngineSpec>();
  for (const spec of specs) {
    const key = `${path.resolve(spec.melspectrogram)}\n${path.resolve(spec.embedding)}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { ...spec, heads: [...spec.heads] });
      continue;
    }
    for (const head of spec.heads) if (!group.heads.some((h) => h.name === head.name)) group.heads.push(head);
  }
  return [...groups.values()];
}
