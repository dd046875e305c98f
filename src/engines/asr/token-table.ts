/**
 * A model's token table (`tokens.txt`: `symbol id` per line), to turn the tokens a sherpa-onnx
 * recogniser reports as text back into their ids, and the recogniser's per-token arrays into
 * {@link AsrToken}s. sherpa-onnx reports sentencepiece's word mark `▁` as a space; Whisper's
 * table holds each token's bytes in base64.
 */
import { readFileSync } from 'node:fs';
import type { AsrToken } from './asr.js';

export type TokenTable = ReadonlyMap<string, number>;

const WORD_MARK = /\u2581/g;

export function parseTokenTable(text: string, base64: boolean): Map<string, number> {
  const table = new Map<string, number>();
  for (const line of text.split('\n')) {
    const at = line.trimEnd().lastIndexOf(' ');
    if (at <= 0) continue;
    const id = Number(line.slice(at + 1));
    if (!Number.isInteger(id)) continue;
    const symbol = line.slice(0, at);
    const key = base64 ? Buffer.from(symbol, 'base64').toString('utf8') : symbol.replace(WORD_MARK, ' ');
    if (!table.has(key)) table.set(key, id);
  }
  return table;
}

/**
 * Reads a table in a worker thread (synchronous on purpose: it runs once, before the worker
 * serves anything); an unreadable file gives an empty table, so only the ids go missing.
 */
export function readTokenTable(file: string | undefined, base64: boolean): TokenTable {
  if (!file) return new Map();
  try {
    return parseTokenTable(readFileSync(file, 'utf8'), base64);
  } catch {
    return new Map();
  }
}

/** Per-token arrays of a recogniser's result, zipped; arrays of another length than `tokens` are left out. */
export function zipTokens(table: TokenTable, tokens: readonly string[] = [], timestamps: readonly number[] = [], logprobs: readonly number[] = []): AsrToken[] {
  const times = timestamps.length === tokens.length;
  const probs = logprobs.length === tokens.length;
  return tokens.map((text, i) => ({
    text,
    id: table.get(text),
    start: times ? timestamps[i] : undefined,
    logprob: probs ? logprobs[i] : undefined,
  }));
}
