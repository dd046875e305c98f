import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allVoices, resolveVoice } from '../../src/core/tts-voices.js';
import type { TtsEngine, TtsVoiceInfo } from '../../src/engines/tts/tts.js';

function voice(name: string, backend: string, languages: string[], speakers: string[] | null = null): TtsVoiceInfo {
  return { name, backend, languages, speakers, sampleRate: 22050, description: name, version: null, attribution: { name: '', url: '' } };
}

/** Engines here are only voice lists: resolving never synthesises. */
function engine(voices: TtsVoiceInfo[]): TtsEngine {
  return { voices, loaded: false, synthesize: async () => ({ sampleRate: 22050 }), unload: async () => undefined, close: async () => undefined };
}

const engines = new Map<string, TtsEngine>([
  ['espeak-ng', engine([voice('espeak-ng-en-us', 'espeak-ng', ['en_US']), voice('espeak-ng-de', 'espeak-ng', ['de'])])],
  ['kokoro:k', engine([voice('af_heart', 'kokoro', ['en_US']), voice('bf_emma', 'kokoro', ['en_GB'])])],
  ['piper:p', engine([voice('de_DE-thorsten-medium', 'piper', ['de_DE'], ['a', 'b'])])],
]);

test('voices are listed Piper first, then Kokoro, then espeak-ng, each in registration order', () => {
  assert.deepEqual(
    allVoices(engines).map((c) => c.voice.name),
    ['de_DE-thorsten-medium', 'af_heart', 'bf_emma', 'espeak-ng-en-us', 'espeak-ng-de'],
  );
});

test('with no voice named the configured default is used, else the first in preference order', () => {
  assert.equal(resolveVoice(engines).voice.name, 'de_DE-thorsten-medium');
  assert.equal(resolveVoice(engines, {}, 'espeak-ng-de').voice.name, 'espeak-ng-de');
  assert.equal(resolveVoice(engines, {}, 'gone').voice.name, 'de_DE-thorsten-medium');
});

test('a voice is found by name (any case) with its speaker, or by language', () => {
  const chosen = resolveVoice(engines, { name: 'de_DE-thorsten-medium', speaker: 'b' });
  assert.equal(chosen.speaker, 'b');
  assert.equal(chosen.engine, engines.get('piper:p'));
  assert.equal(resolveVoice(engines, { name: 'AF_HEART' }).voice.name, 'af_heart');
  assert.equal(resolveVoice(engines, { language: 'en-GB' }).voice.name, 'bf_emma');
  assert.equal(resolveVoice(engines, { language: 'en' }).voice.name, 'af_heart');
  assert.equal(resolveVoice(engines, { language: 'de' }).voice.name, 'de_DE-thorsten-medium');
});

test('unknown voices, speakers and languages, and no voices at all, are coded errors', () => {
  assert.throws(() => resolveVoice(engines, { name: 'nope' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  assert.throws(() => resolveVoice(engines, { name: 'af_heart', speaker: 'x' }), { code: 'SAT_ERR_TTS_UNKNOWN_SPEAKER' });
  assert.throws(() => resolveVoice(engines, { name: 'de_DE-thorsten-medium', speaker: 'c' }), { code: 'SAT_ERR_TTS_UNKNOWN_SPEAKER' });
  assert.throws(() => resolveVoice(engines, { language: 'fi' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  assert.throws(() => resolveVoice(new Map()), { code: 'SAT_ERR_TTS_NO_VOICES' });
});
