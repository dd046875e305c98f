import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UnigramTokenizer, parseSentencepieceModel } from '../../../../src/engines/wake/sherpa-kws/sentencepiece.js';
import { keywordLines, parseKeywordLine } from '../../../../src/engines/wake/sherpa-kws/kws-keywords.js';
import { need } from '../../../helpers/system.js';
import { KWS_EN_DIR, hasModel } from '../wake-helpers.js';

const BPE = path.join(KWS_EN_DIR, 'bpe.model');

test('the unigram tokenizer reproduces every tokenisation in the spotter keywords files', (t) => {
  if (!need(t, hasModel(BPE), `bpe.model missing at ${BPE}`)) return;
  const tokenizer = UnigramTokenizer.fromFile(BPE);
  const lines = [
    ...keywordLines(readFileSync(path.join(KWS_EN_DIR, 'keywords.txt'), 'utf8')),
    ...keywordLines(readFileSync(path.join(KWS_EN_DIR, 'test_keywords.txt'), 'utf8')),
  ];
  let checked = 0;
  for (const line of lines) {
    const { words, tag } = parseKeywordLine(line);
    // upstream test_keywords.txt has a stray "AI" glued to its first line; the phrase is the tag or the pieces
    const text = tag ? tag.replace(/_/g, ' ') : words.join('').split('\u2581').filter(Boolean).join(' ');
    if (text.includes('AI')) continue;
    assert.deepEqual(tokenizer.encode(text.toLowerCase()), words, line);
    checked++;
  }
  assert.ok(checked >= 12, `checked ${checked} phrases`);
});

test('the model is parsed as a 500-piece unigram model with special pieces first', (t) => {
  if (!need(t, hasModel(BPE), `bpe.model missing at ${BPE}`)) return;
  const model = parseSentencepieceModel(readFileSync(BPE));
  assert.equal(model.pieces.length, 500);
  assert.equal(model.modelType, 1);
  assert.deepEqual(
    model.pieces.slice(0, 3).map((p) => p.piece),
    ['<blk>', '<sos/eos>', '<unk>'],
  );
  const tokens = readFileSync(path.join(KWS_EN_DIR, 'tokens.txt'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(
    model.pieces.map((p, i) => `${p.piece} ${i}`),
    tokens,
    'pieces are in tokens.txt order',
  );
});

test('characters no piece covers come out as the unknown piece instead of failing', (t) => {
  if (!need(t, hasModel(BPE), `bpe.model missing at ${BPE}`)) return;
  const tokenizer = UnigramTokenizer.fromFile(BPE);
  const pieces = tokenizer.encode('ok 你');
  assert.equal(pieces.at(-1), tokenizer.unknownPiece);
  assert.deepEqual(tokenizer.encode('   '), []);
});

test('a truncated model is a coded error', () => {
  assert.throws(() => parseSentencepieceModel(Buffer.from([0x0a, 0x20, 0x0a])), { code: 'SAT_ERR_MODEL_INVALID' });
  assert.throws(() => parseSentencepieceModel(Buffer.alloc(0)), { code: 'SAT_ERR_MODEL_INVALID' });
});
