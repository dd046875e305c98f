import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PiperEngine, findPiperFiles, isRawPiperVoice, readPiperVoice } from '../../../../src/engines/tts/piper/piper-engine.js';
import { PIPER_FIXTURE_RATE, PIPER_SAMPLES_PER_ID, writePiperFixture, writeRawPiperVoice } from '../../../../scripts/fixtures/tts-fixtures.js';
import { need } from '../../../helpers/system.js';
import { piperVoiceFolder, realModel } from '../../../helpers/real-models.js';
import { corpusWer } from '../../../helpers/wer.js';
import { hasRecognizer, recognize } from '../../../helpers/recognize.js';
import { ESPEAK_DATA, RUNTIME, SENTENCES, peak, quietLog, removeTempDirs, speak, tempDir } from '../tts-test-kit.js';

const REAL_WER_LIMIT = 0.3;

async function fixtureEngine(speakers: string[] = []): Promise<PiperEngine> {
  const dir = writePiperFixture(tempDir('piper'), { espeakDataDir: ESPEAK_DATA!, speakers });
  const files = findPiperFiles(dir);
  assert.ok(files, 'the fixture folder is recognised as a Piper voice');
  return new PiperEngine(await readPiperVoice(files), RUNTIME, quietLog);
}

describe('Piper voices through sherpa-onnx (structural fixture)', () => {
  after(removeTempDirs);

  test('a generated voice folder loads and streams audio whose length follows the text', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
    const engine = await fixtureEngine();
    const [voice] = engine.voices;
    assert.equal(voice?.name, 'en_US-fixture-x_low');
    assert.deepEqual(voice?.languages, ['en_US']);
    assert.equal(voice?.sampleRate, PIPER_FIXTURE_RATE);
    assert.equal(voice?.speakers, null);
    assert.equal(engine.loaded, false, 'loaded lazily');

    const short = await speak(engine, { text: 'Hello.', voice: voice!.name });
    const long = await speak(engine, { text: 'Hello. This sentence has quite a lot more words in it than the first.', voice: voice!.name });
    assert.equal(engine.loaded, true);
    assert.equal(short.sampleRate, PIPER_FIXTURE_RATE);
    assert.equal(short.samples.length % PIPER_SAMPLES_PER_ID, 0);
    // plausible: a handful of phonemes per word, each one PIPER_SAMPLES_PER_ID samples
    assert.ok(short.samples.length >= 5 * PIPER_SAMPLES_PER_ID && short.samples.length < 40 * PIPER_SAMPLES_PER_ID);
    assert.ok(long.samples.length > 4 * short.samples.length);
    assert.ok(long.calls >= 2, 'audio arrives sentence by sentence');
    assert.ok(peak(long.samples) > 0.1, 'not silence');
    await engine.close();
  });

  test('speed 2 halves the length and a named speaker changes the voice', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    const engine = await fixtureEngine(['alice', 'bob']);
    const name = engine.voices[0]!.name;
    assert.deepEqual(engine.voices[0]!.speakers, ['alice', 'bob']);
    const normal = await speak(engine, { text: 'Open the garage door.', voice: name, speaker: 'alice' });
    const fast = await speak(engine, { text: 'Open the garage door.', voice: name, speaker: 'alice', speed: 2 });
    const bob = await speak(engine, { text: 'Open the garage door.', voice: name, speaker: 'bob' });
    assert.equal(fast.samples.length * 2, normal.samples.length);
    assert.equal(bob.samples.length, normal.samples.length);
    assert.ok(peak(bob.samples) > peak(normal.samples) + 0.05, 'speaker 1 is louder in the fixture');
    await assert.rejects(speak(engine, { text: 'Hi.', voice: name, speaker: 'carol' }), { code: 'SAT_ERR_TTS_UNKNOWN_SPEAKER' });
    await engine.close();
  });

  test('a cancelled synthesis stops with SAT_ERR_CANCELLED and the model is unloaded and reloaded on demand', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    const engine = await fixtureEngine();
    const name = engine.voices[0]!.name;
    const abort = new AbortController();
    let pieces = 0;
    const text = SENTENCES.join(' ');
    await assert.rejects(
      engine.synthesize({ text, voice: name, signal: abort.signal, onAudio: () => (++pieces, abort.abort()) }),
      { code: 'SAT_ERR_CANCELLED' },
    );
    assert.ok(pieces < SENTENCES.length, `stopped after ${pieces} of ${SENTENCES.length} sentences`);
    await engine.unload();
    assert.equal(engine.loaded, false);
    const again = await speak(engine, { text: 'Back again.', voice: name });
    assert.ok(again.samples.length > 0);
    await engine.close();
  });

  test('folders sherpa-onnx would choke on are refused with coded errors before loading', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    // a wyoming-piper voice without sherpa metadata
    const rawDir = tempDir('piper-raw');
    const raw = writeRawPiperVoice(rawDir);
    assert.equal(isRawPiperVoice(rawDir), true);
    writeFileSync(path.join(rawDir, 'tokens.txt'), '_ 0\n^ 1\n$ 2\n');
    await assert.rejects(readPiperVoice({ model: raw, tokens: path.join(rawDir, 'tokens.txt'), dataDir: ESPEAK_DATA! }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SAT_ERR_MODEL_INVALID');
      assert.match(err.message, /import-piper/);
      return true;
    });
    // tokens sherpa's reader rejects, or lacking Piper's start/end symbols
    const dir = writePiperFixture(tempDir('piper-bad'), { espeakDataDir: ESPEAK_DATA! });
    const files = findPiperFiles(dir)!;
    for (const tokens of ['_ 0\nab 1\n', '_ 0\n\n^ 1\n', '_ 0\n^ 1\n', 'a 1\na 2\n']) {
      writeFileSync(files.tokens, tokens);
      await assert.rejects(readPiperVoice(files), { code: 'SAT_ERR_MODEL_INVALID' }, JSON.stringify(tokens));
    }
    await assert.rejects(readPiperVoice({ ...files, dataDir: tempDir('no-espeak') }), { code: 'SAT_ERR_MODEL_INVALID' });
    await assert.rejects(readPiperVoice({ ...files, model: path.join(dir, 'missing.onnx') }), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
  });

  test('a real Piper voice (en_US-joe-medium from the registries, or SATELLITE_TEST_PIPER_VOICE) is understood by the recogniser', async (t) => {
    const piper = realModel('piper');
    if (!need(t, piper.dir !== undefined, piper.reason)) return;
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
    if (!need(t, hasRecognizer(), 'shared zipformer recogniser missing')) return;
    const dir = await piperVoiceFolder(piper, tempDir('piper-real'));
    const files = findPiperFiles(dir, ESPEAK_DATA);
    assert.ok(files, `${dir} is a Piper voice folder`);
    const engine = new PiperEngine(await readPiperVoice(files), RUNTIME, quietLog);
    const pairs = [];
    for (const reference of SENTENCES) {
      const spoken = await speak(engine, { text: reference, voice: engine.voices[0]!.name });
      pairs.push({ reference, hypothesis: await recognize(spoken.samples, spoken.sampleRate) });
    }
    await engine.close();
    const wer = corpusWer(pairs);
    t.diagnostic(`Piper ${engine.voices[0]!.name} WER ${(wer * 100).toFixed(1)}% (small streaming zipformer as the listener)`);
    assert.ok(wer <= REAL_WER_LIMIT, JSON.stringify(pairs));
  });
});
