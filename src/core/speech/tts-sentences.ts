/**
 * Splits text into sentences as it streams in, so each sentence can be spoken as soon as it is
 * complete. A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or brackets)
 * followed by white space, at a CJK full stop, or at a line break. A full stop after a common
 * abbreviation or a single initial does not end a sentence, and a number like `3.5` never
 * splits (no white space follows the point). Text that runs on without an end is cut at a
 * comma or space once it passes {@link MAX_SENTENCE_CHARS}, so speech never waits on a very
 * long sentence.
 */

/** Past this many characters without a sentence end, the text is cut at a comma or space. */
export const MAX_SENTENCE_CHARS = 300;

const TERMINATORS = new Set(['.', '!', '?', '…']);
/** Full-width terminators end a sentence without a following space. */
const CJK_TERMINATORS = new Set(['。', '！', '？']);
/** Closing quotes and brackets, and the markdown emphasis marks an LLM puts after a sentence end. */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '»', '」', '』', '*', '_', '`']);
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'e.g', 'i.e', 'approx', 'inc', 'ltd', 'mt', 'nr', 'fig', 'dept',
]);
const SPEAKABLE = /[\p{L}\p{N}]/u;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** The word right before index `dot` (letters and inner dots), lowercased. */
function wordBefore(text: string, dot: number): string {
  let i = dot;
  while (i > 0 && /[\p{L}.]/u.test(text[i - 1]!)) i--;
  return text.slice(i, dot).toLowerCase();
}

function isAbbreviation(text: string, dot: number): boolean {
  const word = wordBefore(text, dot);
  if (word.length === 1 && /\p{Lu}/u.test(text[dot - 1]!)) return true; // an initial: "J. Smith"
  return ABBREVIATIONS.has(word);
}

/** Index just past the sentence end that starts at `i`, or -1 (-2: undecided until more text). */
function boundaryAt(text: string, i: number, final: boolean): number {
  const ch = text[i]!;
  if (ch === '\n') return i + 1;
  if (CJK_TERMINATORS.has(ch)) return i + 1;
  if (!TERMINATORS.has(ch)) return -1;
  let j = i + 1;
  while (j < text.length && (TERMINATORS.has(text[j]!) || CLOSERS.has(text[j]!))) j++;
  if (j >= text.length) return final ? j : -2;
  if (!isSpace(text[j])) return -1;
  if (ch === '.' && j === i + 1 && isAbbreviation(text, i)) return -1;
  return j;
}

/** Where to cut text that has no sentence end before the length limit. */
function forcedCut(text: string): number {
  const window = text.slice(0, MAX_SENTENCE_CHARS);
  const comma = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
  if (comma > MAX_SENTENCE_CHARS / 3) return comma + 1;
  const space = window.lastIndexOf(' ');
  return space > 0 ? space : MAX_SENTENCE_CHARS;
}

export function normalizeSentence(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Removes the markdown an LLM reply may carry, which speech engines would read out
 * ("asterisk asterisk"): emphasis marks, code ticks, heading and bullet marks, link targets.
 */
export function cleanForSpeech(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/(\*{1,3}|_{2,3})(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/(^|[^\p{L}\p{N}_])_(\S(?:.*?\S)?)_(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/^\s*#{1,6}\s+/gm, '')
    .replace(/^\s*[-*•]\s+/gm, '')
    .replace(/\*+/g, '');
}

export class SentenceSplitter {
  #buffer = '';
  /** Where scanning resumes (earlier positions are known not to end a sentence). */
  #scanFrom = 0;

  /** Adds text; returns the sentences it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    return this.#take(false);
  }

  /** No more text: returns whatever is left as sentences. */
  flush(): string[] {
    const out = this.#take(true);
    const rest = normalizeSentence(cleanForSpeech(this.#buffer));
    this.#buffer = '';
    this.#scanFrom = 0;
    if (SPEAKABLE.test(rest)) out.push(rest);
    return out;
  }

  #take(final: boolean): string[] {
    const out: string[] = [];
    for (;;) {
      const end = this.#findEnd(final);
      if (end >= 0 && end <= MAX_SENTENCE_CHARS) this.#cut(end, out);
      else if (this.#buffer.length > MAX_SENTENCE_CHARS) this.#cut(forcedCut(this.#buffer), out);
      else if (end >= 0) this.#cut(end, out);
      else return out;
    }
  }

  /** The end of the first complete sentence in the buffer, or -1. */
  #findEnd(final: boolean): number {
    for (let i = this.#scanFrom; i < this.#buffer.length; i++) {
      const end = boundaryAt(this.#buffer, i, final);
      if (end >= 0) return end;
      if (end === -2) {
        this.#scanFrom = i; // a terminator at the very end: decide when more text comes
        return -1;
      }
    }
    this.#scanFrom = this.#buffer.length;
    return -1;
  }

  #cut(at: number, out: string[]): void {
    const sentence = normalizeSentence(cleanForSpeech(this.#buffer.slice(0, at)));
    this.#buffer = this.#buffer.slice(at);
    this.#scanFrom = 0;
    if (SPEAKABLE.test(sentence)) out.push(sentence);
  }
}

/** Splits a whole text at once. */
export function splitSentences(text: string): string[] {
  const splitter = new SentenceSplitter();
  return [...splitter.push(text), ...splitter.flush()];
}
