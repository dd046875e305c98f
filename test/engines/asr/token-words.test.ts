import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_SECONDS, wordsFromTokens } from '../../../src/engines/asr/token-words.js';
import { parseTokenTable, zipTokens } from '../../../src/engines/asr/token-table.js';

describe('word times from token times', () => {
  test('sub-word tokens join into words that end where the next begins, or a token length after their last token', () => {
    const tokens = zipTokens(new Map(), [' HE', ' HO', 'P', 'ED', ' THERE'], [0.68, 0.88, 0.96, 1.04, 2.5]);
    assert.deepEqual(wordsFromTokens(tokens, 3), [
      { word: 'HE', start: 0.68, end: 0.88 },
      { word: 'HOPED', start: 0.88, end: 1.04 + TOKEN_SECONDS },
      { word: 'THERE', start: 2.5, end: 2.5 + TOKEN_SECONDS },
    ]);
  });

  test('a lone word mark opens the next word, punctuation stays with the word before, and no word ends after the audio', () => {
    const tokens = zipTokens(new Map(), [' EARLY', ' ', 'NIGHT', 'FALL', ',', ' OK'], [0.1, 0.4, 0.42, 0.6, 0.7, 1.0]);
    assert.deepEqual(
      wordsFromTokens(tokens, 1.1)!.map((w) => w.word),
      ['EARLY', 'NIGHTFALL,', 'OK'],
    );
    assert.equal(wordsFromTokens(tokens, 1.1)!.at(-1)!.end, 1.1);
  });

  test('Chinese characters are words of their own; without times there are no words', () => {
    const tokens = zipTokens(new Map(), ['你', '好'], [0.2, 0.5]);
    assert.deepEqual(wordsFromTokens(tokens, 1)!.map((w) => w.word), ['你', '好']);
    assert.equal(wordsFromTokens(zipTokens(new Map(), [' hi'], []), 1), undefined);
  });

  test('token tables map symbols (the word mark as a space, Whisper base64) to ids', () => {
    const bpe = parseTokenTable('<blk> 0\n\u2581HE 49\nP 26\n', false);
    assert.equal(bpe.get(' HE'), 49);
    assert.equal(bpe.get('P'), 26);
    const whisper = parseTokenTable(`${Buffer.from(' hello').toString('base64')} 23748\n`, true);
    assert.equal(whisper.get(' hello'), 23748);
    assert.deepEqual(zipTokens(bpe, [' HE', 'X'], [0.1, 0.2], [-0.5]), [
      { text: ' HE', id: 49, start: 0.1, logprob: undefined },
      { text: 'X', id: undefined, start: 0.2, logprob: undefined },
    ]);
  });
});
