import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KwsEngine } from '../../../../src/engines/wake/sherpa-kws/sherpa-kws.js';
import { findKwsFolder, guessKwsLanguages } from '../../../../src/engines/wake/sherpa-kws/kws-files.js';
import { keywordLines } from '../../../../src/engines/wake/sherpa-kws/kws-keywords.js';
import { need } from '../../../helpers/system.js';
import { KWS_EN_DIR, KWS_ZH_DIR, TEST_RUNTIME, detectAll, hasModel, paddedClip } from '../wake-helpers.js';

/** What MODELS.md §3 documents for the English spotter with its keywords.txt. */
const DOCUMENTED: Record<string, string[]> = {
  'librispeech-1089-134686-0000.wav': ['stew_for_dinner'],
  'librispeech-1089-134686-0002.wav': ['light_up'],
  'librispeech-1089-134691-0000.wav': ['wait_no_longer'],
  'librispeech-1089-134691-0001.wav': ['full_hour', 'wait_no_longer'],
  'jfk.wav': ['fellow_americans', 'your_country'],
  'oww-alexa.wav': ['alexa'],
  'vosk-digits.wav': [],
  'silero-vad-test-60s.wav': [],
  'librispeech-1089-134686-0001.wav': [],
};

function spotter(dir: string, keywords?: string[], extra: Partial<ConstructorParameters<typeof KwsEngine>[0]> = {}): KwsEngine {
  const folder = findKwsFolder(dir);
  assert.ok(folder, `${dir} is recognised as a keyword spotter`);
  return new KwsEngine({
    id: path.basename(dir),
    ...folder,
    keywords: keywords ?? keywordLines(readFileSync(folder.keywords!, 'utf8')),
    languages: guessKwsLanguages(folder.tokens),
    runtime: TEST_RUNTIME,
    ...extra,
  });
}

test('the English spotter finds the documented keywords in each clip and raises no false alarm', async (t) => {
  if (!need(t, hasModel(KWS_EN_DIR), `keyword spotter missing at ${KWS_EN_DIR}`)) return;
  const kws = spotter(KWS_EN_DIR);
  t.after(() => kws.close());
  assert.deepEqual(kws.models[0]?.languages, ['en']);
  const all = kws.models.map((m) => m.name);
  for (const [clip, expected] of Object.entries(DOCUMENTED)) {
    const found = await detectAll(kws, all, paddedClip(clip));
    assert.deepEqual([...new Set(found.map((d) => d.name))].sort(), [...expected].sort(), `${clip}: got ${JSON.stringify(found)}`);
  }
  assert.equal(kws.sessionCount, 0);
});

test('plain-text phrases are tokenised with bpe.model and keep their boost, threshold and name', async (t) => {
  if (!need(t, hasModel(KWS_EN_DIR), `keyword spotter missing at ${KWS_EN_DIR}`)) return;
  const kws = spotter(KWS_EN_DIR, ['hey jarvis', 'fellow americans :2.0 #0.2 @MY_FELLOWS', '▁YOUR ▁COUNT RY @YOUR_COUNTRY']);
  t.after(() => kws.close());
  assert.deepEqual(kws.keywordLines, ['▁HE Y ▁JA R VI S @HEY_JARVIS', '▁FE LL OW ▁AMERICA N S :2 #0.2 @MY_FELLOWS', '▁YOUR ▁COUNT RY @YOUR_COUNTRY']);
  assert.deepEqual(
    kws.models.map((m) => [m.name, m.phrase]),
    [
      ['hey_jarvis', 'Hey Jarvis'],
      ['my_fellows', 'My Fellows'],
      ['your_country', 'Your Country'],
    ],
  );
  const found = await detectAll(kws, ['my_fellows'], paddedClip('jfk.wav'));
  assert.deepEqual(
    found.map((d) => d.name),
    ['my_fellows'],
    'only the phrase the session asked for is reported',
  );
  assert.ok(found[0]!.timestampMs > 1_000, 'the timestamp is past the leading silence');
});

test('a phrase whose name another engine uses gets a _kws suffix', (t) => {
  if (!need(t, hasModel(KWS_EN_DIR), `keyword spotter missing at ${KWS_EN_DIR}`)) return;
  const kws = spotter(KWS_EN_DIR, ['alexa', 'hello world'], { takenNames: new Set(['alexa']) });
  assert.deepEqual(
    kws.models.map((m) => m.name),
    ['alexa_kws', 'hello_world'],
  );
});

test('the Chinese spotter finds its documented keywords, and plain text without bpe.model is explained', async (t) => {
  if (!need(t, hasModel(KWS_ZH_DIR), `Chinese keyword spotter missing at ${KWS_ZH_DIR}`)) return;
  const lines = keywordLines(readFileSync(path.join(KWS_ZH_DIR, 'test_keywords.txt'), 'utf8'));
  const kws = spotter(KWS_ZH_DIR, [...lines, '小爱同学']);
  t.after(() => kws.close());
  assert.deepEqual(kws.models[0]?.languages, ['zh']);
  assert.equal(kws.problems.length, 1);
  assert.match(kws.problems[0]!.message, /plain text.*no bpe\.model.*pre-tokenised/s);
  const names = kws.models.map((m) => m.name);
  const found = new Set((await detectAll(kws, names, paddedClip('zh-kws-3.wav'))).map((d) => d.name));
  assert.ok(found.has('文森特卡索') && found.has('法国'), `found ${[...found].join(', ')}`);
  assert.deepEqual(await detectAll(kws, names, paddedClip('jfk.wav')), []);
});

test('a spotter without any usable phrase is refused with a coded error', (t) => {
  if (!need(t, hasModel(KWS_EN_DIR), `keyword spotter missing at ${KWS_EN_DIR}`)) return;
  assert.throws(() => spotter(KWS_EN_DIR, ['▁NOT_A_TOKEN @X']), { code: 'SAT_ERR_KWS_KEYWORD' });
});
