import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWakeSessions, selectWakeModels, wakeCatalog } from '../../../src/core/speech/select-wake.js';
import { FakeWakeEngine } from './wake-fakes.js';
import type { WakeEngine } from '../../../src/engines/wake/wake.js';
import { satelliteInfo } from '../../../src/adapters/satellite/satellite-info.js';

const oww = new FakeWakeEngine({ alexa: 0.1, hey_jarvis: 0.2 });
const kws = new FakeWakeEngine({ hello_world: 0.3, alexa: 0.4 });
const catalog = wakeCatalog([
  { id: 'oww', engine: oww },
  { id: 'kws', engine: kws },
]);

test('the catalogue lists every model once, the first engine keeping a repeated name', () => {
  assert.deepEqual(
    catalog.map((e) => `${e.engineId}/${e.model.name}`),
    ['oww/alexa', 'oww/hey_jarvis', 'kws/hello_world'],
  );
});

test('requested names select their models; unknown ones are dropped; aliases match', () => {
  assert.deepEqual(
    selectWakeModels(catalog, ['hello_world', 'okay_nabu', 'Hey Jarvis', 'hey_jarvis_v0.1'], null).map((e) => e.model.name),
    ['hello_world', 'hey_jarvis'],
  );
});

test('no names means the configured default, else the first installed model', () => {
  assert.deepEqual(
    selectWakeModels(catalog, null, 'hello_world').map((e) => e.model.name),
    ['hello_world'],
  );
  assert.deepEqual(
    selectWakeModels(catalog, [], 'not_installed').map((e) => e.model.name),
    ['alexa'],
  );
});

test('naming only models that are not installed is refused and lists what is', () => {
  assert.throws(() => selectWakeModels(catalog, ['okay_nabu'], null), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SAT_ERR_WAKE_MODEL_NOT_FOUND');
    assert.match(err.message, /okay_nabu.*alexa, hey_jarvis, hello_world/);
    return true;
  });
  assert.throws(() => selectWakeModels([], null, null), { code: 'SAT_ERR_WAKE_MODEL_NOT_FOUND' });
});

test('selected models are grouped into one session per engine', () => {
  const plan = planWakeSessions(selectWakeModels(catalog, ['alexa', 'hello_world', 'hey_jarvis'], null));
  assert.equal(plan.length, 2);
  assert.equal(plan[0]!.engine, oww);
  assert.deepEqual(plan[0]!.names, ['alexa', 'hey_jarvis']);
  assert.equal(plan[1]!.engine, kws);
  assert.deepEqual(plan[1]!.names, ['hello_world']);
});

/** An engine that only lists models (the catalogue reads nothing else). */
function listing(backend: string, words: Array<[name: string, phrase: string]>): WakeEngine {
  return {
    models: words.map(([name, phrase]) => ({ name, phrase, description: phrase, languages: ['en'], version: null, backend, attribution: { name: '', url: '' } })),
    loaded: false,
    createSession: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
}

test('two engines that both know "alexa" show distinct descriptions and phrases, and the satellite info tells them apart', () => {
  // The keyword spotter's clashing name already carries _kws (sherpa-kws.ts takenNames).
  const both = wakeCatalog([
    { id: 'openwakeword', engine: listing('openwakeword', [['alexa', 'Alexa'], ['hey_jarvis', 'Hey Jarvis']]) },
    { id: 'kws-en', engine: listing('sherpa-kws', [['alexa_kws', 'Alexa'], ['hey_jarvis_kws', 'Hey Jarvis'], ['hello_world', 'Hello World']]) },
    { id: 'kws-other', engine: listing('sherpa-kws', [['alexa_2', 'ALEXA']]) },
  ]);
  const shown = both.map((e) => [e.model.name, e.model.description, e.model.phrase]);
  assert.deepEqual(shown, [
    ['alexa', 'Alexa', 'Alexa'],
    ['hey_jarvis', 'Hey Jarvis', 'Hey Jarvis'],
    ['alexa_kws', 'Alexa (keyword spotter)', 'Alexa (keyword spotter)'],
    ['hey_jarvis_kws', 'Hey Jarvis (keyword spotter)', 'Hey Jarvis (keyword spotter)'],
    ['hello_world', 'Hello World', 'Hello World'],
    ['alexa_2', 'ALEXA (keyword spotter kws-other)', 'ALEXA (keyword spotter kws-other)'],
  ]);
  for (const field of ['description', 'phrase'] as const) {
    const seen = both.map((e) => e.model[field].toLowerCase());
    assert.equal(new Set(seen).size, seen.length, `${field}s are distinct`);
  }
  // Each name still selects its own model, and so does its phrase.
  assert.equal(selectWakeModels(both, ['alexa'], null)[0]!.model.name, 'alexa');
  assert.equal(selectWakeModels(both, ['Alexa (keyword spotter)'], null)[0]!.model.name, 'alexa_kws');

  // What HA resolves a satellite's detection to (assist_satellite.py: the phrase of the model of that name).
  const info = satelliteInfo({
    name: 'Kitchen',
    area: null,
    description: 'd',
    version: '1.0.0',
    hasVad: false,
    wakeModels: both.map((e) => e.model),
    activeWakeWords: ['alexa'],
    mic: { format: { rate: 16000, width: 2, channels: 1 }, problem: null },
    speaker: null,
  });
  const phraseOf = (name: string) => info.wake?.flatMap((p) => p.models).find((m) => m.name === name)?.phrase;
  assert.equal(phraseOf('alexa'), 'Alexa');
  assert.equal(phraseOf('alexa_kws'), 'Alexa (keyword spotter)');
  assert.deepEqual(
    info.wake?.map((p) => p.description),
    ['openWakeWord (local wake word detection)', 'keyword spotter (local wake word detection)'],
  );
});
