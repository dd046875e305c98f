/**
 * Word times from token times. Recognisers emit sub-word tokens, each with the time it was
 * emitted; a token whose text begins with a space starts a word (sherpa-onnx reports
 * sentencepiece's word mark as a space) and a Chinese or Japanese character is a word of its own.
 * A word starts at its first token and ends where the next word starts, but at most
 * {@link TOKEN_SECONDS} after its last token: a pause after a word is not part of it.
 */
import type { AsrToken, AsrWord } from './asr.js';

/** How long one token lasts at most, past the time it was emitted. */
export const TOKEN_SECONDS = 0.32;

const OWN_WORD = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const PUNCTUATION = /^\p{P}+$/u;

/** `end`: seconds of audio the tokens came from (no word ends after it). */
export function wordsFromTokens(tokens: readonly AsrToken[], end: number): AsrWord[] | undefined {
  if (tokens.length === 0 || tokens.some((t) => t.start === undefined)) return undefined;
  const groups: Array<{ text: string; start: number; last: number }> = [];
  // A token that is only the word mark (sentencepiece's lone `▁`) opens the word after it.
  let pendingBreak = false;
  for (const token of tokens) {
    const start = token.start!;
    const current = groups.at(-1);
    const text = token.text.trim();
    if (!text) {
      pendingBreak = true;
      continue;
    }
    const breaks = pendingBreak || /^\s/.test(token.text);
    pendingBreak = false;
    // Punctuation belongs to the word before it.
    const opens = !current || (!PUNCTUATION.test(text) && (breaks || OWN_WORD.test(text) || OWN_WORD.test(current.text.slice(-1))));
    if (opens) groups.push({ text, start, last: start });
    else if (current) {
      current.text += text;
      if (!PUNCTUATION.test(text)) current.last = start;
    }
  }
  return groups.map((g, i) => {
    const next = groups[i + 1]?.start ?? end;
    const wordEnd = Math.max(g.last, Math.min(next, g.last + TOKEN_SECONDS, end));
    return { word: g.text, start: round(g.start), end: round(wordEnd) };
  });
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
