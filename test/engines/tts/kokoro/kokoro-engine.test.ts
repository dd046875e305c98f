import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KokoroEngine, findKokoroFiles, readKokoro } from '../../../../src/engines/tts/kokoro/kokoro-engine.js';
import { KOKORO_FIXTURE_RATE, KOKORO_SAMPLES_PER_TOKEN, writeKokoroFixture } from '../../../../scripts/fixtures/tts-fixtures.js';
import { need } from '../../../helpers/system.js';
import { realModel } from '../../../helpers/real-models.js';
import { corpusWer } from '../../../helpers/wer.js';
import { hasRecognizer, recognize } from '../../../helpers/recognize.js';
import { ESPEAK_DATA, RUNTIME, SENTENCES, peak, quietLog, removeTempDirs, speak, tempDir } from '../tts-test-kit.js';

const REAL_WER_LIMIT = 0.3;
const REAL_SENTENCES = 3;

describe('Kokoro through sherpa-onnx (structural fixture)', () => {
  after(removeTempDirs);

  test('a generated Kokoro folder offers each speaker as a named voice and speaks with a plausible length', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
    const dir = writeKokoroFixture(tempDir('kokoro'), { espeakDataDir: ESPEAK_DATA!, speakers: ['af_heart', 'bm_george'] });
    const files = findKokoroFiles(dir);
    assert.ok(files);
    const engine = new KokoroEngine(await readKokoro(files), RUNTIME, quietLog);
    assert.deepEqual(engine.voices.map((v) => v.name), ['af_heart', 'bm_george']);
    assert.deepEqual(engine.voices.map((v) => v.languages), [['en_US'], ['en_GB']]);
    assert.ok(engine.voices.every((v) => v.sampleRate === KOKORO_FIXTURE_RATE && v.backend === 'kokoro' && v.speakers === null));

    const heart = await speak(engine, { text: 'Good morning. It is time to wake up.', voice: 'af_heart' });
    const george = await speak(engine, { text: 'Good morning. It is time to wake up.', voice: 'bm_george' });
    const fast = await speak(engine, { text: 'Good morning. It is time to wake up.', voice: 'af_heart', speed: 2 });
    assert.equal(heart.sampleRate, KOKORO_FIXTURE_RATE);
    assert.equal(heart.samples.length % (KOKORO_SAMPLES_PER_TOKEN / 2), 0);
    assert.ok(heart.samples.length >= 10 * KOKORO_SAMPLES_PER_TOKEN && heart.samples.length < 80 * KOKORO_SAMPLES_PER_TOKEN);
    assert.ok(heart.calls >= 2, 'audio arrives sentence by sentence');
    assert.equal(fast.samples.length * 2, heart.samples.length);
    assert.equal(george.samples.length, heart.samples.length);
    assert.ok(peak(george.samples) > peak(heart.samples) + 0.05, 'the second speaker style is used');
    await assert.rejects(speak(engine, { text: 'Hi.', voice: 'am_nobody' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
    await engine.close();
  });

  test('a voice name already taken gets the folder name as prefix', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    const dir = writeKokoroFixture(tempDir('kokoro'), { espeakDataDir: ESPEAK_DATA! });
    const spec = await readKokoro(findKokoroFiles(dir)!);
    const engine = new KokoroEngine(spec, RUNTIME, quietLog, (speaker) => (speaker === 'af_heart' ? `${spec.name}-${speaker}` : speaker));
    assert.deepEqual(engine.voices.map((v) => v.name), [`${path.basename(dir)}-af_heart`, 'am_adam']);
    const spoken = await speak(engine, { text: 'Hello.', voice: `${path.basename(dir)}-af_heart` });
    assert.ok(spoken.samples.length > 0);
    await engine.close();
  });

  test('a voices.bin that does not match the model, or a multi-language model without lexicons, is refused before loading', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    const dir = writeKokoroFixture(tempDir('kokoro-bad'), { espeakDataDir: ESPEAK_DATA! });
    const files = findKokoroFiles(dir)!;
    writeFileSync(files.voices, Buffer.alloc(1024));
    await assert.rejects(readKokoro(files), { code: 'SAT_ERR_MODEL_INVALID' });
    await assert.rejects(readKokoro({ ...files, model: path.join(dir, 'nope.onnx') }), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
    await assert.rejects(readKokoro({ ...files, voices: path.join(dir, 'nope.bin') }), { code: 'SAT_ERR_MODEL_INVALID' });
  });

  test('a real Kokoro model (v1.0 int8 from the registries, or SATELLITE_TEST_KOKORO_MODEL) is understood by the recogniser', async (t) => {
    const kokoro = realModel('kokoro');
    if (!need(t, kokoro.dir !== undefined, kokoro.reason)) return;
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
    if (!need(t, hasRecognizer(), 'shared zipformer recogniser missing')) return;
    const files = findKokoroFiles(kokoro.dir!, ESPEAK_DATA);
    assert.ok(files, `${kokoro.dir} is a Kokoro folder`);
    const engine = new KokoroEngine(await readKokoro(files), RUNTIME, quietLog);
    const voice = engine.voices.find((v) => v.name === 'af_heart') ?? engine.voices.find((v) => v.languages.includes('en_US')) ?? engine.voices[0]!;
    const pairs = [];
    // Kokoro is slower than real time on these CPUs: a few sentences (the Wyoming test speaks ten)
    for (const reference of SENTENCES.slice(0, REAL_SENTENCES)) {
      const spoken = await speak(engine, { text: reference, voice: voice.name });
      assert.equal(spoken.sampleRate, 24_000);
      pairs.push({ reference, hypothesis: await recognize(spoken.samples, spoken.sampleRate) });
    }
    await engine.close();
    const wer = corpusWer(pairs);
    t.diagnostic(`Kokoro (${voice.name}) WER ${(wer * 100).toFixed(1)}% (small streaming zipformer as the listener)`);
    assert.ok(wer <= REAL_WER_LIMIT, JSON.stringify(pairs));
  });
});
