/**
 * Shared pieces of the model-manager tests: MODELS.md's pin tables, the catalogue downloads
 * whose bytes are in ../shared/models, archives built from shared folders, and temp dirs.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { sharedModel } from '../helpers/system.js';
import type { Logger } from '../../src/util/logger.js';

/** Catalogue id → the shared file holding the same bytes as its (single) download. */
export const SHARED_BYTES: Record<string, string> = {
  'silero-vad-v6': 'silero-vad/silero_vad_v6.onnx',
  'silero-vad-v5': 'silero-vad/silero_vad.onnx',
  'oww-melspectrogram': 'openwakeword/melspectrogram.onnx',
  'oww-embedding': 'openwakeword/embedding_model.onnx',
  'oww-alexa': 'openwakeword/alexa_v0.1.onnx',
  'oww-hey-jarvis': 'openwakeword/hey_jarvis_v0.1.onnx',
  'oww-hey-mycroft': 'openwakeword/hey_mycroft_v0.1.onnx',
  'oww-hey-rhasspy': 'openwakeword/hey_rhasspy_v0.1.onnx',
};

export const KWS_FOLDER = 'kws-zipformer-gigaspeech-3.3M-mobile';
export const KWS_ZH_FOLDER = 'kws-zipformer-wenetspeech-3.3M-mobile';

/** `{ "silero-vad/": { "silero_vad.onnx": {size, sha256} } }` from the tables in MODELS.md. */
export function modelsMdPins(): Record<string, Record<string, { size: number; sha256: string }>> {
  const text = readFileSync(sharedModel('MODELS.md'), 'utf8');
  const out: Record<string, Record<string, { size: number; sha256: string }>> = {};
  let folder = '';
  for (const line of text.split('\n')) {
    const heading = /^## \d+\. `([^`]+)`/.exec(line);
    if (heading) folder = heading[1]!;
    const row = /^\| ([^|]+?)(?: \(\*\*patched\*\*\)| \(ours\)| \(upstream(?: card)?\))? \| (\d+) \| ([0-9a-f]{64}) \|$/.exec(line);
    if (row && folder) (out[folder] ??= {})[row[1]!.trim()] = { size: Number(row[2]), sha256: row[3]! };
  }
  return out;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `satellite-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A .tar.bz2 of a shared folder, renamed inside to `topName/` as upstream archives are. */
export function buildTarBz2(folder: string, topName: string, outDir: string): string {
  const out = path.join(outDir, `${topName}.tar.bz2`);
  execFileSync('tar', ['-c', '-j', '-f', out, '-C', path.dirname(sharedModel(folder)), `--transform=s,^${folder},${topName},`, folder]);
  return out;
}

export function buildZip(folder: string, outDir: string): string {
  const out = path.join(outDir, `${folder}.zip`);
  execFileSync('zip', ['-q', '-r', out, folder], { cwd: path.dirname(sharedModel(folder)) });
  return out;
}

/** A logger whose lines are kept for assertions. */
export function captureLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

/** Writes a catalogue file (same shape as config/models.yml) and returns its path. */
export function writeCatalogue(dir: string, models: unknown[], presets: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'test-catalogue.json');
  writeFileSync(file, JSON.stringify({ version: 1, presets, models }, null, 2));
  return file;
}

/** One test entry whose downloads are plain files. */
export function fileEntry(id: string, files: Array<{ url: string; path: string; pin?: { sha256: string; size: number } }>, extra: Record<string, unknown> = {}): unknown {
  return {
    id,
    kind: 'wake',
    backend: 'test',
    licence: 'Apache-2.0',
    downloads: files.map((f) => ({ url: f.url, path: f.path, pins: f.pin ? [f.pin] : [], pin_source: f.pin ? 'third-party' : 'tofu' })),
    ...extra,
  };
}

/** The files of the shared streaming zipformer, as a catalogue downloads them one by one. */
export const ZIPFORMER_FILES = [
  'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
  'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  'tokens.txt',
];

/** A pinned Hugging Face URL for one of them (a mirror serves it from the shared folder). */
export function zipformerUrl(repo: string, file: string): string {
  return `https://huggingface.co/test/${repo}/resolve/0123456789abcdef0123456789abcdef01234567/${file}`;
}

/** The shared streaming zipformer as a catalogue ASR entry, pinned to MODELS.md; `repo` names its URLs. */
export function zipformerEntry(id: string, repo: string): Record<string, unknown> {
  const md = modelsMdPins()[`${KWS_FOLDER}/`]!;
  return {
    id,
    kind: 'asr',
    backend: 'sherpa-online',
    licence: 'Apache-2.0',
    languages: ['en'],
    downloads: ZIPFORMER_FILES.map((f) => ({ url: zipformerUrl(repo, f), path: f, pins: [md[f]], pin_source: 'third-party' })),
  };
}
