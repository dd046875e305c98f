/**
 * Checks shared by the sherpa-onnx voice backends. sherpa-onnx ends the process (exit -1) on a
 * tokens file it cannot read, a metadata key it needs, or unusable espeak-ng data, so every such
 * condition is tested here first and reported as a coded error instead.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SatelliteError } from '../../util/errors.js';
import { isDir } from '../../util/file-kind.js';

/** Files sherpa-onnx requires inside an espeak-ng data directory. */
export const ESPEAK_DATA_FILES = ['phontab', 'phonindex', 'phondata', 'intonations'];

export function badModel(message: string, cause?: unknown): SatelliteError {
  return new SatelliteError('SAT_ERR_MODEL_INVALID', message, cause === undefined ? undefined : { cause });
}

export function checkEspeakData(dir: string): void {
  if (!isDir(dir)) throw badModel(`espeak-ng data folder not found: ${dir}`);
  const missing = ESPEAK_DATA_FILES.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) throw badModel(`${dir} is not an espeak-ng data folder (missing ${missing.join(', ')})`);
}

/**
 * Reads a sherpa-onnx tokens file (`SYMBOL ID` per line; a line holding only an id is the space)
 * with the same rules as sherpa's reader: one code point per symbol, no duplicates, no blank lines.
 */
export async function readTokens(file: string): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw badModel(`cannot read tokens file ${file}`, err);
  }
  const tokens = new Map<string, number>();
  const lines = text.replace(/\r?\n$/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const where = `${file} line ${i + 1}`;
    const onlyId = /^\s+(\d+)\s*$/.exec(line);
    const pair = /^(\S+)\s+(\d+)\s*$/.exec(line);
    let symbol: string;
    let id: number;
    if (onlyId) {
      symbol = ' ';
      id = Number(onlyId[1]);
    } else if (pair) {
      symbol = pair[1]!;
      id = Number(pair[2]);
    } else {
      throw badModel(`${where}: expected "SYMBOL ID", got ${JSON.stringify(line)}`);
    }
    if ([...symbol].length !== 1 && symbol !== '<BLNK>') throw badModel(`${where}: symbol ${JSON.stringify(symbol)} is not one character`);
    if (tokens.has(symbol)) throw badModel(`${where}: duplicate symbol ${JSON.stringify(symbol)}`);
    tokens.set(symbol, id);
  });
  if (tokens.size === 0) throw badModel(`${file} holds no tokens`);
  return tokens;
}

/** An integer metadata value, or a coded error naming the file and key. */
export function metaInt(meta: Record<string, string>, key: string, file: string): number {
  const raw = meta[key];
  const value = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(value)) throw badModel(`${file}: metadata "${key}" is missing or not an integer (got ${JSON.stringify(raw ?? null)})`);
  return value;
}

export function metaString(meta: Record<string, string>, key: string, file: string): string {
  const value = meta[key];
  if (value === undefined) throw badModel(`${file}: metadata "${key}" is missing`);
  return value;
}

/** espeak-ng voice ids (`en-us`, `pt-br`, `de`) as the language tags Piper voices advertise (`en_US`). */
export function languageTag(espeakVoice: string): string {
  const [lang, region] = espeakVoice.split(/[-_]/);
  if (!lang) return espeakVoice;
  return region && /^[a-z]{2}$/i.test(region) ? `${lang.toLowerCase()}_${region.toUpperCase()}` : lang.toLowerCase();
}
