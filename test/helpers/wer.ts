/** Word error rate: word-level edit distance over the reference length, after normalising. */
import { editDistance } from '../../src/util/edit-distance.js';

export function normaliseWords(text: string): string[] {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = normaliseWords(reference);
  const hyp = normaliseWords(hypothesis);
  return { errors: editDistance(ref, hyp), words: ref.length };
}

/** WER of one pair, in [0, ∞). */
export function wer(reference: string, hypothesis: string): number {
  const { errors, words } = wordErrors(reference, hypothesis);
  return words === 0 ? (errors === 0 ? 0 : 1) : errors / words;
}

/** Corpus WER: total errors over total reference words. */
export function corpusWer(pairs: Array<{ reference: string; hypothesis: string }>): number {
  let errors = 0;
  let words = 0;
  for (const p of pairs) {
    const r = wordErrors(p.reference, p.hypothesis);
    errors += r.errors;
    words += r.words;
  }
  return words === 0 ? 0 : errors / words;
}
