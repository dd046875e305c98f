/**
 * Keyword lists for the sherpa-onnx keyword spotter. A line is `TOKENS [:boost] [#threshold]
 * [@NAME]` where TOKENS are pieces from the model's `tokens.txt` (e.g. `▁HE Y ▁JA R VI S`). A
 * phrase may also be given as plain text ("hey jarvis :1.5 #0.3"): it is tokenised with the
 * model's sentencepiece `bpe.model` when there is one, otherwise the user is told how to write
 * it pre-tokenised. Each phrase becomes one wake model named after its `@NAME`.
 */
import { SatelliteError } from '../../../util/errors.js';
import { phraseFromName } from '../wake-names.js';
import { WORD_BOUNDARY, type UnigramTokenizer } from './sentencepiece.js';

export interface KeywordSpec {
  /** Wake model name (`hey_jarvis`; non-Latin tags are kept as they are). */
  name: string;
  /** Spoken phrase ("Hey Jarvis"). */
  phrase: string;
  /** What the spotter reports for this phrase (the `@` tag). */
  tag: string;
  tokens: string[];
  boost?: number | undefined;
  threshold?: number | undefined;
}

export interface ParsedKeywordLine {
  words: string[];
  boost?: number | undefined;
  threshold?: number | undefined;
  tag?: string | undefined;
}

export interface KeywordContext {
  /** Pieces of the model's tokens.txt. */
  tokens: ReadonlySet<string>;
  tokenizer?: UnigramTokenizer | undefined;
  /** Model folder, for messages. */
  model: string;
}

/** Splits a keyword line into words and its `:boost`, `#threshold` and `@NAME` options. */
export function parseKeywordLine(line: string): ParsedKeywordLine {
  const out: ParsedKeywordLine = { words: [] };
  for (const part of line.trim().split(/\s+/).filter(Boolean)) {
    const option = (prefix: string) => part.length > 1 && part.startsWith(prefix) && Number.isFinite(Number(part.slice(1)));
    if (option(':')) out.boost = Number(part.slice(1));
    else if (option('#')) out.threshold = Number(part.slice(1));
    else if (part.startsWith('@') && part.length > 1) out.tag = part.slice(1);
    else out.words.push(part);
  }
  return out;
}

export function formatKeywordLine(spec: KeywordSpec): string {
  const options = [spec.boost === undefined ? '' : `:${spec.boost}`, spec.threshold === undefined ? '' : `#${spec.threshold}`].filter(Boolean);
  return [...spec.tokens, ...options, `@${spec.tag}`].join(' ');
}

const LATIN_TAG = /^[A-Za-z0-9_'-]+$/;

function nameOfTag(tag: string): { name: string; phrase: string } {
  if (!LATIN_TAG.test(tag)) return { name: tag, phrase: tag };
  const name = tag.toLowerCase().replace(/['-]/g, '_');
  return { name, phrase: phraseFromName(name) };
}

/** Turns one keyword line into a spec, tokenising plain text where the model allows. */
export function keywordSpec(line: string, context: KeywordContext): KeywordSpec {
  const parsed = parseKeywordLine(line);
  if (parsed.words.length === 0) throw new SatelliteError('SAT_ERR_KWS_KEYWORD', `keyword line "${line}" has no phrase`);
  const pretokenised = parsed.words.some((w) => w.includes(WORD_BOUNDARY)) || (!context.tokenizer && parsed.words.every((w) => context.tokens.has(w)));
  let tokens: string[];
  let tag = parsed.tag;
  if (pretokenised) {
    tokens = parsed.words;
    tag ??= tokens.join('').split(WORD_BOUNDARY).filter(Boolean).join('_');
  } else if (context.tokenizer) {
    tokens = context.tokenizer.encode(parsed.words.join(' '));
    tag ??= parsed.words.join('_').toUpperCase();
  } else {
    throw new SatelliteError(
      'SAT_ERR_KWS_KEYWORD',
      `keyword "${line}" is plain text, but ${context.model} has no bpe.model to tokenise it with. ` +
        `Give it pre-tokenised: the model's tokens from tokens.txt separated by spaces, then @NAME, ` +
        `e.g. "x iǎo ài t óng x ué @xiao_ai" (sherpa-onnx's text2token tool prints them).`,
    );
  }
  const unknown = tokens.filter((t) => !context.tokens.has(t));
  if (unknown.length > 0) {
    throw new SatelliteError(
      'SAT_ERR_KWS_KEYWORD',
      `keyword "${line}" uses ${unknown.map((t) => `"${t}"`).join(', ')}, not in ${context.model}/tokens.txt; ` +
        `use words the model knows or give the tokens explicitly`,
    );
  }
  return { ...nameOfTag(tag), tag, tokens, boost: parsed.boost, threshold: parsed.threshold };
}

/** Parses `tokens.txt` (`piece id` per line) into its set of pieces. */
export function parseTokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const space = trimmed.lastIndexOf(' ');
    out.add(space > 0 ? trimmed.slice(0, space) : trimmed);
  }
  return out;
}

/** Keyword lines of a keywords file (blank lines and `#` comments skipped). */
export function keywordLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}
