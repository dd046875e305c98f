import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatKeywordLine, keywordLines, keywordSpec, parseKeywordLine, parseTokens } from '../../../../src/engines/wake/sherpa-kws/kws-keywords.js';

const TOKENS = parseTokens('<blk> 0\n▁HE 1\nY 2\n▁JA 3\nR 4\nVI 5\nS 6\nx 7\niǎo 8\n');

test('a keyword line splits into tokens, boost, threshold and name', () => {
  assert.deepEqual(parseKeywordLine('▁HE Y ▁JA R VI S :1.5 #0.3 @HEY_JARVIS'), {
    words: ['▁HE', 'Y', '▁JA', 'R', 'VI', 'S'],
    boost: 1.5,
    threshold: 0.3,
    tag: 'HEY_JARVIS',
  });
  assert.deepEqual(parseKeywordLine('  hey jarvis  '), { words: ['hey', 'jarvis'] });
});

test('a pre-tokenised line keeps its tokens and options and round-trips', () => {
  const spec = keywordSpec('▁HE Y ▁JA R VI S :2 #0.4 @HEY_JARVIS', { tokens: TOKENS, model: 'm' });
  assert.equal(spec.name, 'hey_jarvis');
  assert.equal(spec.phrase, 'Hey Jarvis');
  assert.equal(formatKeywordLine(spec), '▁HE Y ▁JA R VI S :2 #0.4 @HEY_JARVIS');
  const untagged = keywordSpec('▁HE Y', { tokens: TOKENS, model: 'm' });
  assert.equal(untagged.tag, 'HEY');
});

test('pinyin tokens are accepted as they are when the model has no bpe.model', () => {
  const spec = keywordSpec('x iǎo @小', { tokens: TOKENS, model: 'm' });
  assert.deepEqual(spec.tokens, ['x', 'iǎo']);
  assert.equal(spec.name, '小');
});

test('plain text without a tokenizer tells the user how to give it pre-tokenised', () => {
  assert.throws(() => keywordSpec('hey jarvis', { tokens: TOKENS, model: 'zh-kws' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SAT_ERR_KWS_KEYWORD');
    assert.match(err.message, /zh-kws has no bpe\.model/);
    assert.match(err.message, /tokens\.txt/);
    return true;
  });
});

test('tokens missing from tokens.txt are named in the error', () => {
  assert.throws(() => keywordSpec('▁HE LLO', { tokens: TOKENS, model: 'm' }), /"LLO"/);
});

test('keyword files skip blank and comment lines', () => {
  assert.deepEqual(keywordLines('# comment\n\n▁HE Y @HEY\n  \n'), ['▁HE Y @HEY']);
});
