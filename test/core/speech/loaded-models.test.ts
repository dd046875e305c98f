import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listModels, loadedCount, qualifiedNames, ttsModelName, type InstalledEngines } from '../../../src/core/speech/loaded-models.js';
import type { AsrEngine } from '../../../src/engines/asr/asr.js';
import type { TtsEngine, TtsVoiceInfo } from '../../../src/engines/tts/tts.js';
import type { WakeEngine } from '../../../src/engines/wake/wake.js';
import type { VadFactory } from '../../../src/engines/vad/vad.js';
import { HttpMetrics } from '../../../src/adapters/http/http-metrics.js';

const attribution = { name: '', url: '' };
const unused = () => Promise.reject(new Error('unused'));

/** Engines here only say whether they are loaded; nothing runs. */
function asr(name: string, loaded: boolean): AsrEngine {
  return { info: { name, description: '', languages: ['en'], version: null, attribution, backend: 'test', streaming: true, sampleRate: 16_000 }, loaded, createSession: unused, unload: async () => undefined, close: async () => undefined };
}

function tts(voices: string[], loaded: boolean): TtsEngine {
  const infos: TtsVoiceInfo[] = voices.map((name) => ({ name, description: '', languages: ['en'], version: null, attribution, backend: 'test', sampleRate: 22_050, speakers: null }));
  return { voices: infos, loaded, synthesize: unused, unload: async () => undefined, close: async () => undefined };
}

function wake(words: string[], loaded: boolean): WakeEngine {
  return { models: words.map((name) => ({ name, phrase: name, description: '', languages: ['en'], version: null, attribution, backend: 'test' })), loaded, createSession: unused, close: async () => undefined };
}

function vad(name: string, loaded: boolean): VadFactory {
  return { name, loaded, createStream: unused, close: async () => undefined };
}

function registry() {
  return {
    asr: [
      { id: 'zipformer', engine: asr('zipformer', true) },
      { id: 'whisper-tiny', engine: asr('whisper-tiny', false) },
    ],
    tts: [
      { id: 'espeak-ng', engine: tts(['espeak-ng-en-us', 'espeak-ng-de'], true) },
      { id: 'piper-lessac', engine: tts(['en_US-lessac-medium'], false) },
      { id: 'kokoro-en-v0_19', engine: tts(['af_heart', 'bf_emma'], true) },
    ],
    wake: [
      { id: 'openwakeword', engine: wake(['alexa', 'hey_jarvis'], false) },
      { id: 'kws-en', engine: wake(['hey computer'], true) },
    ],
    vad: [{ id: 'silero_vad', engine: vad('silero_vad', false) }],
  } satisfies InstalledEngines;
}

test('models are listed per kind, one per native model, with the loaded ones those whose engine says so', () => {
  const listing = listModels(registry());
  assert.deepEqual(listing, {
    asr: { installed: ['zipformer', 'whisper-tiny'], loaded: ['zipformer'] },
    tts: { installed: ['espeak-ng', 'en_US-lessac-medium', 'kokoro-en-v0_19'], loaded: ['espeak-ng', 'kokoro-en-v0_19'] },
    wake: { installed: ['openwakeword', 'kws-en'], loaded: ['kws-en'] },
    vad: { installed: ['silero_vad'], loaded: [] },
  });
  assert.equal(loadedCount(listing), 4);
  assert.deepEqual(qualifiedNames(listing, 'loaded'), ['asr/zipformer', 'tts/espeak-ng', 'tts/kokoro-en-v0_19', 'wake/kws-en']);
  assert.equal(qualifiedNames(listing, 'installed').length, 8);
});

test('the figures follow the engines as they load and unload', () => {
  const engines = registry();
  (engines.asr[0]!.engine as { loaded: boolean }).loaded = false;
  (engines.vad[0]!.engine as { loaded: boolean }).loaded = true;
  const listing = listModels(engines);
  assert.deepEqual(listing.asr.loaded, []);
  assert.deepEqual(listing.vad.loaded, ['silero_vad']);
  assert.equal(loadedCount(listModels({ asr: [], tts: [], wake: [], vad: [] })), 0);
});

test('a TTS model is named by its only voice, else by its id (its folder)', () => {
  const one = tts(['de_DE-thorsten-medium'], false);
  const many = tts(['a', 'b'], false);
  assert.equal(ttsModelName('x', one), 'de_DE-thorsten-medium');
  assert.equal(ttsModelName('kokoro-multi-lang-v1_0', many), 'kokoro-multi-lang-v1_0');
  assert.equal(ttsModelName('espeak-ng', many), 'espeak-ng');
});

test('/metrics renders the same listing: installed and loaded rows per model and the loaded total', () => {
  const listing = listModels(registry());
  const stats = { services: {}, requests: 0, errors: 0, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 2, uptimeSeconds: 3 };
  const text = new HttpMetrics().render({ stats, models: listing, inFlight: new Map() });
  const rows = (metric: string) =>
    text
      .split('\n')
      .map((line) => new RegExp(`^${metric}\\{kind="(\\w+)",model="([^"]+)"\\} (\\d+)$`).exec(line))
      .filter((m) => m !== null)
      .map((m) => [`${m[1]}/${m[2]}`, Number(m[3])]);
  assert.deepEqual(rows('satellite_model_installed').map(([name]) => name), qualifiedNames(listing, 'installed'));
  assert.deepEqual(
    rows('satellite_model_loaded').filter(([, v]) => v === 1).map(([name]) => name),
    qualifiedNames(listing, 'loaded'),
  );
  assert.match(text, /^satellite_models_loaded 4$/m);
});
