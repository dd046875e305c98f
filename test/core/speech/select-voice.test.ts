import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allVoices, pickVoice } from '../../../src/core/speech/select-voice.js';
import type { TtsEngine, TtsVoiceInfo } from '../../../src/engines/tts/tts.js';

function voice(name: string, backend: string, languages: string[], speakers: string[] | null = null): TtsVoiceInfo {
  return { name, backend, languages, speakers, sampleRate: 22050, description: name, version: null, attribution: { name: '', url: '' } };
}

/** Engines here are only voice lists: resolving never synthesises. */
function engine(voices: TtsVoiceInfo[]): TtsEngine {
  return { voices, loaded: false, synthesize: async () => ({ sampleRate: 22050 }), unload: async () => undefined, close: async () => undefined };
}

const engines = [
  { id: 'espeak-ng', engine: engine([voice('espeak-ng-en-us', 'espeak-ng', ['en_US']), voice('espeak-ng-de', 'espeak-ng', ['de'])]) },
  { id: 'kokoro-folder', engine: engine([voice('af_heart', 'kokoro', ['en_US']), voice('bf_emma', 'kokoro', ['en_GB'])]) },
  { id: 'piper-folder', engine: engine([voice('de_DE-thorsten-medium', 'piper', ['de_DE'], ['a', 'b'])]) },
];

test('voices are listed Piper first, then Kokoro, then espeak-ng, each in catalogue order', () => {
  assert.deepEqual(
    allVoices(engines).map((c) => c.voice.name),
    ['de_DE-thorsten-medium', 'af_heart', 'bf_emma', 'espeak-ng-en-us', 'espeak-ng-de'],
  );
});

test('with no voice named the configured default is used, else the first in preference order', () => {
  assert.equal(pickVoice(engines).voice.name, 'de_DE-thorsten-medium');
  assert.equal(pickVoice(engines, {}, 'espeak-ng-de').voice.name, 'espeak-ng-de');
  assert.equal(pickVoice(engines, {}, 'gone').voice.name, 'de_DE-thorsten-medium');
});

test('a voice is found by name (any case) with its speaker, or by language', () => {
  const chosen = pickVoice(engines, { name: 'de_DE-thorsten-medium', speaker: 'b' });
  assert.equal(chosen.speaker, 'b');
  assert.equal(chosen.engine, engines[2]!.engine);
  assert.equal(chosen.engineId, 'piper-folder');
  assert.equal(pickVoice(engines, { name: 'AF_HEART' }).voice.name, 'af_heart');
  assert.equal(pickVoice(engines, { language: 'en-GB' }).voice.name, 'bf_emma');
  assert.equal(pickVoice(engines, { language: 'en' }).voice.name, 'af_heart');
  assert.equal(pickVoice(engines, { language: 'de' }).voice.name, 'de_DE-thorsten-medium');
});

test('unknown voices, speakers and languages, and no voices at all, are coded errors', () => {
  assert.throws(() => pickVoice(engines, { name: 'nope' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  assert.throws(() => pickVoice(engines, { name: 'af_heart', speaker: 'x' }), { code: 'SAT_ERR_TTS_UNKNOWN_SPEAKER' });
  assert.throws(() => pickVoice(engines, { name: 'de_DE-thorsten-medium', speaker: 'c' }), { code: 'SAT_ERR_TTS_UNKNOWN_SPEAKER' });
  assert.throws(() => pickVoice(engines, { language: 'fi' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  assert.throws(() => pickVoice([]), { code: 'SAT_ERR_TTS_NO_VOICES' });
});

test('the name of a model folder means its voices, the default among them when it is one of them', () => {
  assert.equal(pickVoice(engines, { name: 'kokoro-folder' }).voice.name, 'af_heart');
  assert.equal(pickVoice(engines, { name: 'kokoro-folder' }, 'bf_emma').voice.name, 'bf_emma');
  assert.equal(pickVoice(engines, { name: 'KOKORO-folder' }).engineId, 'kokoro-folder');
});

test('a language picks the default voice when it speaks it, else the first that does', () => {
  assert.equal(pickVoice(engines, { language: 'en' }, 'espeak-ng-en-us').voice.name, 'espeak-ng-en-us');
  assert.equal(pickVoice(engines, { language: 'en' }, 'espeak-ng-de').voice.name, 'af_heart');
});
