import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ESPEAK_RATE, EspeakEngine, WavStreamReader } from '../../../../src/engines/tts/espeak/espeak-engine.js';
import { chooseEspeakVoices, displayName, parseEspeakVoices } from '../../../../src/engines/tts/espeak/espeak-voices.js';
import { encodeWav } from '../../../../src/audio/wav.js';
import { floatToInt16Bytes } from '../../../../src/audio/pcm.js';
import { hasCommand, need } from '../../../helpers/system.js';
import { corpusWer } from '../../../helpers/wer.js';
import { hasRecognizer, recognize } from '../../../helpers/recognize.js';
import { SENTENCES, quietLog, speak } from '../tts-test-kit.js';

/** espeak-ng is robotic and the recogniser tiny: about 65% is normal; noise or silence gives 100%. */
const WER_LIMIT = 0.8;
const hasEspeak = hasCommand('espeak-ng');

const VOICES_TABLE = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 2  en-gb           --/M      English_(Great_Britain) gmw/en          (en 2)
 5  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  mb-en1          --/M      english-mb-en1     mb/mb-en1            (en 2)
`;

function espeakChildren(): number {
  return spawnSync('pgrep', ['-P', String(process.pid), '-x', 'espeak-ng'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
}

function create(maxConcurrent = 2): Promise<EspeakEngine | null> {
  return EspeakEngine.create({ program: 'espeak-ng', languages: null, preferred: 'en-us', maxConcurrent, maxQueue: 1, log: quietLog });
}

describe('espeak-ng voices and WAV streaming', () => {
  test('the --voices table becomes voice ids, without MBROLA voices', () => {
    const voices = parseEspeakVoices(VOICES_TABLE);
    assert.deepEqual(voices.map((v) => v.language), ['af', 'en-gb', 'en-us']);
    assert.equal(voices[2]!.voiceName, 'English_(America)');
    assert.equal(displayName(voices[1]!.voiceName), 'English (Great Britain)');
  });

  test('a WAV stream split at every byte gives the same samples as the whole file', () => {
    const samples = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i / 5) * 0.5);
    const wav = encodeWav(floatToInt16Bytes(samples), { rate: ESPEAK_RATE, width: 2, channels: 1 });
    const whole: number[] = [];
    new WavStreamReader(ESPEAK_RATE, (s) => whole.push(...s)).push(wav);
    const split: number[] = [];
    const reader = new WavStreamReader(ESPEAK_RATE, (s) => split.push(...s));
    for (let i = 0; i < wav.length; i++) reader.push(wav.subarray(i, i + 1));
    reader.end();
    assert.equal(whole.length, 300);
    assert.deepEqual(split, whole);
    // a different rate is resampled to the voice rate
    const resampled: number[] = [];
    const half = new WavStreamReader(ESPEAK_RATE / 2, (s) => resampled.push(...s));
    half.push(wav);
    half.end();
    assert.ok(Math.abs(resampled.length - 150) <= 2);
  });
});

/** A slice of a real `espeak-ng --voices` table (1.51): English variants among other languages. */
const MANY_VOICES = parseEspeakVoices(`Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 5  de              --/M      German             gmw/de
 5  en-029          --/M      English_(Caribbean) gmw/en-029           (en 10)
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 5  en-gb-x-rp      --/M      English_(Received_Pronunciation) gmw/en-GB-x-rp       (en-gb 4)(en 5)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  fr-fr           --/M      French_(France)    roa/fr               (fr 5)
 5  nl              --/M      Dutch              gmw/nl
`);

describe('which espeak-ng voices are offered, in which order', () => {
  const ids = (choice: Parameters<typeof chooseEspeakVoices>[1]) => chooseEspeakVoices(MANY_VOICES, choice).map((v) => v.language);

  test('by default only the preferred voice, so Home Assistant’s default language is its language', () => {
    assert.deepEqual(ids({ voices: null, preferred: 'en-us', offer: 'preferred' }), ['en-us']);
    assert.deepEqual(ids({ voices: null, preferred: 'de', offer: 'preferred' }), ['de']);
  });

  test('language: every variant of the preferred voice’s language, the preferred one first', () => {
    assert.deepEqual(ids({ voices: null, preferred: 'en-us', offer: 'language' }), ['en-us', 'en-029', 'en-gb', 'en-gb-x-rp']);
  });

  test('all: every installed voice, the preferred one first, then espeak-ng’s order', () => {
    assert.deepEqual(ids({ voices: null, preferred: 'fr-fr', offer: 'all' }), ['fr-fr', 'af', 'de', 'en-029', 'en-gb', 'en-gb-x-rp', 'en-us', 'nl']);
  });

  test('an explicit list wins over offer and keeps its order, the preferred voice first when listed', () => {
    assert.deepEqual(ids({ voices: ['nl', 'de', 'en-us'], preferred: 'en-us', offer: 'preferred' }), ['en-us', 'nl', 'de']);
    assert.deepEqual(ids({ voices: ['nl', 'de'], preferred: 'en-us', offer: 'all' }), ['nl', 'de']);
  });

  test('a configured default voice is offered too; a preferred voice that is not installed falls back to its language, then to all', () => {
    assert.deepEqual(ids({ voices: null, preferred: 'en-us', offer: 'preferred', include: ['de'] }), ['en-us', 'de']);
    assert.deepEqual(ids({ voices: null, preferred: 'en-au', offer: 'preferred' }), ['en-029', 'en-gb', 'en-gb-x-rp', 'en-us']);
    assert.equal(ids({ voices: null, preferred: 'xx', offer: 'preferred' }).length, MANY_VOICES.length);
  });
});

describe('espeak-ng engine (real program)', () => {
  test('the offered voices carry the installed espeak-ng version and the preferred voice first', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed (apt install espeak-ng)')) return;
    const stated = /:\s*(\d+(?:\.\d+)+)/.exec(spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    const only = (await EspeakEngine.create({ program: 'espeak-ng', languages: null, preferred: 'de', offer: 'preferred', maxConcurrent: 1, maxQueue: 1, log: quietLog }))!;
    assert.deepEqual(
      only.voices.map((v) => [v.name, v.languages, v.version]),
      [['espeak-ng-de', ['de'], stated]],
    );
    const english = (await EspeakEngine.create({ program: 'espeak-ng', languages: null, preferred: 'en-us', offer: 'language', maxConcurrent: 1, maxQueue: 1, log: quietLog }))!;
    assert.equal(english.voices[0]!.name, 'espeak-ng-en-us');
    assert.ok(english.voices.length > 1 && english.voices.every((v) => v.name.startsWith('espeak-ng-en')), english.voices.map((v) => v.name).join(', '));
    await Promise.all([only.close(), english.close()]);
  });

  test('synthesised sentences are recognised as speech, not noise', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed (apt install espeak-ng)')) return;
    if (!need(t, hasRecognizer(), 'shared zipformer recogniser missing')) return;
    const engine = (await create())!;
    assert.equal(engine.voices[0]!.name, 'espeak-ng-en-us', 'the preferred voice comes first');
    const pairs = [];
    for (const reference of SENTENCES) {
      const spoken = await speak(engine, { text: reference, voice: 'espeak-ng-en-us' });
      assert.equal(spoken.sampleRate, ESPEAK_RATE);
      pairs.push({ reference, hypothesis: await recognize(spoken.samples, spoken.sampleRate) });
    }
    const wer = corpusWer(pairs);
    t.diagnostic(`espeak-ng WER ${(wer * 100).toFixed(1)}% over ${pairs.length} sentences`);
    assert.ok(wer < WER_LIMIT, JSON.stringify(pairs));
    // the same recogniser on silence hears nothing: the limit does separate speech from non-speech
    const silence = await recognize(new Float32Array(ESPEAK_RATE * 2), ESPEAK_RATE);
    assert.equal(corpusWer([{ reference: SENTENCES[0]!, hypothesis: silence }]), 1);
    await engine.close();
  });

  test('speed changes the length, and text is read from stdin, never as options', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const engine = (await create())!;
    const text = '--help -v xx; rm -rf / is just text to read aloud.';
    const normal = await speak(engine, { text, voice: 'espeak-ng-en-us' });
    const fast = await speak(engine, { text, voice: 'espeak-ng-en-us', speed: 2 });
    assert.ok(normal.samples.length > ESPEAK_RATE, 'the whole text was spoken');
    assert.ok(fast.samples.length < normal.samples.length * 0.7);
    await assert.rejects(speak(engine, { text: 'hi', voice: 'espeak-ng-xx' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
    await engine.close();
  });

  test('aborting kills the child process at once and a full queue is refused', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const engine = (await create(1))!;
    const abort = new AbortController();
    const long = SENTENCES.join(' ').repeat(4);
    const running = engine.synthesize({ text: long, voice: 'espeak-ng-en-us', signal: abort.signal, onAudio: () => abort.abort() });
    const queued = engine.synthesize({ text: 'waiting', voice: 'espeak-ng-en-us', onAudio: () => undefined });
    await assert.rejects(engine.synthesize({ text: 'refused', voice: 'espeak-ng-en-us', onAudio: () => undefined }), { code: 'SAT_ERR_ENGINE_BUSY' });
    await assert.rejects(running, { code: 'SAT_ERR_CANCELLED' });
    await queued;
    for (let i = 0; i < 20 && espeakChildren() > 0; i++) await sleep(25);
    assert.equal(espeakChildren(), 0);
    await engine.close();
  });

  test('a missing program means no engine, not a crash', async () => {
    const engine = await EspeakEngine.create({ program: '/nonexistent/espeak-ng', languages: null, preferred: 'en-us', maxConcurrent: 1, maxQueue: 1, log: quietLog });
    assert.equal(engine, null);
  });
});
