/**
 * Finds sherpa-onnx keyword-spotter folders: a streaming transducer (encoder/decoder/joiner
 * `.onnx`, `tokens.txt`) with a `keywords.txt`, and optionally the sentencepiece `bpe.model` used
 * to tokenise plain-text phrases. Int8 files are preferred where both exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isFile } from '../../../util/file-kind.js';

export const KEYWORDS_FILE = 'keywords.txt';
export const TOKENS_FILE = 'tokens.txt';
export const BPE_MODEL_FILE = 'bpe.model';

export interface KwsFolder {
  dir: string;
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
  /** The folder's keywords file, when it has one. */
  keywords: string | undefined;
  bpeModel: string | undefined;
}

function pick(files: string[], part: string): string | undefined {
  const matches = files.filter((f) => f.startsWith(part) && f.endsWith('.onnx')).sort();
  return matches.find((f) => f.includes('.int8.')) ?? matches[0];
}

/**
 * Reads a folder as a keyword spotter. `requireKeywords` (discovery) only accepts folders with a
 * keywords file, since plain streaming transducers are speech-to-text models.
 */
export function findKwsFolder(dir: string, requireKeywords = true): KwsFolder | undefined {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return undefined;
  }
  const encoder = pick(files, 'encoder');
  const decoder = pick(files, 'decoder');
  const joiner = pick(files, 'joiner');
  const keywords = files.includes(KEYWORDS_FILE) ? path.join(dir, KEYWORDS_FILE) : undefined;
  if (!encoder || !decoder || !joiner || !files.includes(TOKENS_FILE)) return undefined;
  if (requireKeywords && !keywords) return undefined;
  const bpe = path.join(dir, BPE_MODEL_FILE);
  return {
    dir,
    encoder: path.join(dir, encoder),
    decoder: path.join(dir, decoder),
    joiner: path.join(dir, joiner),
    tokens: path.join(dir, TOKENS_FILE),
    keywords,
    bpeModel: isFile(bpe) ? bpe : undefined,
  };
}

/** A guess at the spotter's language from its tokens: pinyin tone marks mean Chinese. */
export function guessKwsLanguages(tokensFile: string): string[] {
  const text = readFileSync(tokensFile, 'utf8');
  if (/[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]/.test(text)) return ['zh'];
  if (text.includes('\u2581')) return ['en'];
  return [];
}
