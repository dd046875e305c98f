import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { OpenWakeWordEngine } from '../../../../src/engines/wake/openwakeword/openwakeword.js';
import { findOpenWakeWordFolder } from '../../../../src/engines/wake/openwakeword/openwakeword-files.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { OWW_DIR, SAMPLE_RATE, TEST_RUNTIME, detectAll, hasModel, paddedClip } from '../wake-helpers.js';

const FOUR_WORDS = ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'];
/** Clips with a wake word and the one model that must fire once on each. */
const POSITIVES: Record<string, string> = { 'oww-alexa.wav': 'alexa', 'oww-hey-mycroft.wav': 'hey_mycroft' };

function engine(): OpenWakeWordEngine {
  const folder = findOpenWakeWordFolder(OWW_DIR);
  assert.ok(folder, 'the shared openwakeword folder is recognised');
  return new OpenWakeWordEngine({ id: 'openwakeword', ...folder, runtime: TEST_RUNTIME });
}

test('the shared openWakeWord folder yields four models with stable names, phrases and languages', (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const models = engine().models;
  assert.deepEqual(
    models.map((m) => m.name),
    FOUR_WORDS,
  );
  assert.deepEqual(
    models.map((m) => m.phrase),
    ['Alexa', 'Hey Jarvis', 'Hey Mycroft', 'Hey Rhasspy'],
  );
  for (const m of models) assert.deepEqual(m.languages, ['en']);
});

test('with all four words loaded, each wake clip fires its own word exactly once and every other clip fires nothing', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const oww = engine();
  t.after(() => oww.close());
  const clips = readdirSync(sharedModel('test-wavs')).filter((f) => f.endsWith('.wav')).sort();
  assert.ok(clips.length >= 10, 'the shared test clips are there');
  for (const clip of clips) {
    const audio = paddedClip(clip);
    const found = await detectAll(oww, FOUR_WORDS, audio);
    const expected = POSITIVES[clip];
    assert.deepEqual(
      found.map((d) => d.name),
      expected ? [expected] : [],
      `${clip}: got ${JSON.stringify(found)}`,
    );
    for (const d of found) {
      assert.ok(d.timestampMs > 1_000 && d.timestampMs <= (audio.length * 1000) / SAMPLE_RATE, `${clip}: timestamp ${d.timestampMs} lies inside the padded clip, after the leading silence`);
    }
  }
  assert.equal(oww.sessionCount, 0, 'closed sessions are released');
});

test('detection does not depend on how the audio is chunked', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const oww = engine();
  t.after(() => oww.close());
  const audio = paddedClip('oww-alexa.wav');
  const reference = await detectAll(oww, ['alexa'], audio, 1_280);
  assert.equal(reference.length, 1);
  for (const chunk of [37, 1_000, 4_096, audio.length]) {
    assert.deepEqual(await detectAll(oww, ['alexa'], audio, chunk), reference, `chunks of ${chunk} samples`);
  }
});

test('a session reports only the words it listens for', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const oww = engine();
  t.after(() => oww.close());
  assert.deepEqual(await detectAll(oww, ['hey_jarvis', 'hey_mycroft'], paddedClip('oww-alexa.wav')), []);
  assert.deepEqual(
    (await detectAll(oww, ['Hey Mycroft'], paddedClip('oww-hey-mycroft.wav'))).map((d) => d.name),
    ['hey_mycroft'],
    'a phrase names its model',
  );
});

test('the refractory period keeps a repeated wake word quiet until it has passed', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const alexa = paddedClip('oww-alexa.wav', 0.2);
  const gap = 3 * SAMPLE_RATE;
  const twice = new Float32Array(alexa.length * 2 + gap);
  twice.set(alexa);
  twice.set(alexa, alexa.length + gap);
  const folder = findOpenWakeWordFolder(OWW_DIR)!;
  const long = new OpenWakeWordEngine({ id: 'long', ...folder, tuning: { refractoryMs: 10_000 }, runtime: TEST_RUNTIME });
  const short = new OpenWakeWordEngine({ id: 'short', ...folder, tuning: { refractoryMs: 2_000 }, runtime: TEST_RUNTIME });
  t.after(() => Promise.all([long.close(), short.close()]));
  assert.equal((await detectAll(long, ['alexa'], twice)).length, 1, 'the second "alexa" falls inside a 10 s refractory period');
  assert.equal((await detectAll(short, ['alexa'], twice)).length, 2, 'with the default 2 s both fire, each once');
});

test('reset forgets earlier audio and restarts the timestamps', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const oww = engine();
  t.after(() => oww.close());
  const found: number[] = [];
  const session = await oww.createSession({ names: ['alexa'], onDetection: (d) => found.push(d.timestampMs) });
  await session.accept(new Float32Array(SAMPLE_RATE * 3));
  session.reset();
  await session.accept(paddedClip('oww-alexa.wav'));
  session.close();
  assert.equal(found.length, 1);
  assert.ok(found[0]! < 2_700, `timestamp ${found[0]} counts from the reset, not from the start`);
});

test('an unknown wake word name is refused with a coded error', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const oww = engine();
  t.after(() => oww.close());
  await assert.rejects(oww.createSession({ names: ['okay_nabu'], onDetection: () => undefined }), { code: 'SAT_ERR_WAKE_MODEL_NOT_FOUND' });
});
