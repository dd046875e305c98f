import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWakeSessions, selectWakeModels, wakeCatalog } from '../../../src/core/speech/select-wake.js';
import { FakeWakeEngine } from './wake-fakes.js';

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
