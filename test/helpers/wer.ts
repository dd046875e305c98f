/** Word error rate: word-level edit distance over the reference length, after normalising. */

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
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = previous[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return { errors: previous[hyp.length]!, words: ref.length };
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
