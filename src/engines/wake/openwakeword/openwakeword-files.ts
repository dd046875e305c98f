/**
 * Finds openWakeWord models on disk: a folder holding the shared front end
 * (`melspectrogram.onnx` + `embedding_model.onnx`) and one `.onnx` head per wake word. Head file
 * names give stable model names with the version suffix removed (`hey_jarvis_v0.1.onnx` →
 * `hey_jarvis`) and a spoken phrase ("Hey Jarvis").
 */
import { existsSync, readdirSync } from 'node:fs';
import { isFile } from '../../../util/file-kind.js';
import path from 'node:path';
import { phraseFromName, wakeWordName } from '../wake-names.js';

export const MELSPECTROGRAM_FILE = 'melspectrogram.onnx';
export const EMBEDDING_FILE = 'embedding_model.onnx';
const BACKBONE_FILES = new Set([MELSPECTROGRAM_FILE, EMBEDDING_FILE]);
/** Other ONNX files that can sit beside openWakeWord models but are not wake-word heads. */
const NOT_HEADS = /^(silero_vad.*|.*vad.*)\.onnx$/i;

export interface OwwHeadFile {
  name: string;
  phrase: string;
  file: string;
}

export interface OwwFolder {
  dir: string;
  melspectrogram: string;
  embedding: string;
  heads: OwwHeadFile[];
}

/** Head descriptions for the given files (sorted by name; duplicate names keep the first). */
export function headsFromFiles(files: string[]): OwwHeadFile[] {
  const seen = new Set<string>();
  const heads: OwwHeadFile[] = [];
  for (const file of [...files].sort()) {
    const name = wakeWordName(file);
    if (seen.has(name)) continue;
    seen.add(name);
    heads.push({ name, phrase: phraseFromName(name), file });
  }
  return heads;
}

/** Reads a folder; undefined unless it holds the front end and at least one head. */
export function findOpenWakeWordFolder(dir: string): OwwFolder | undefined {
  const melspectrogram = path.join(dir, MELSPECTROGRAM_FILE);
  const embedding = path.join(dir, EMBEDDING_FILE);
  if (!isFile(melspectrogram) || !isFile(embedding)) return undefined;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const headFiles = entries
    .filter((f) => f.toLowerCase().endsWith('.onnx') && !BACKBONE_FILES.has(f) && !NOT_HEADS.test(f))
    .map((f) => path.join(dir, f))
    .filter(isFile);
  const heads = headsFromFiles(headFiles);
  return heads.length > 0 ? { dir, melspectrogram, embedding, heads } : undefined;
}

/** The front end for a head given on its own: the head's folder, else `backboneDir`. */
export function backboneFor(headFile: string, backboneDir?: string | null): { melspectrogram: string; embedding: string } | undefined {
  for (const dir of [path.dirname(headFile), backboneDir]) {
    if (!dir) continue;
    const melspectrogram = path.join(dir, MELSPECTROGRAM_FILE);
    const embedding = path.join(dir, EMBEDDING_FILE);
    if (existsSync(melspectrogram) && existsSync(embedding)) return { melspectrogram, embedding };
  }
  return undefined;
}

/** One openWakeWord engine: a front end and the heads that run on it. */
export interface OwwEngineSpec {
  id: string;
  melspectrogram: string;
  embedding: string;
  heads: Array<OwwHeadFile & { languages: string[] }>;
}

/**
 * Merges specs that use the same front end files into one engine (first id wins, a head name
 * already present is not added twice): heads stored apart share one front end at run time.
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
