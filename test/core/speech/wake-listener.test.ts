import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeListener, type WakeFiring } from '../../../src/core/speech/wake-listener.js';
import { createLogger } from '../../../src/util/logger.js';
import { FakeWakeEngine, FakeWakeSource } from './wake-fakes.js';

const log = createLogger({ level: 'silent' });

/** One second of silence whose last sample is the marker of the word to "say". */
function say(marker: number): Float32Array {
  const samples = new Float32Array(16_000);
  samples[samples.length - 1] = marker;
  return samples;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('a rescan that adds, replaces or removes wake models leaves the listener hearing its word, on the new engines', async () => {
  const mycroft = new FakeWakeEngine({ hey_mycroft: 0.5 });
  const source = new FakeWakeSource([{ id: 'oww', engine: mycroft }]);
  const fired: WakeFiring[] = [];
  const rechosen: string[][] = [];
  const listener = new WakeListener(source, { names: ['hey_mycroft'], strict: false, onDetection: (f) => fired.push(f), onRechosen: (n) => rechosen.push(n), log });
  await listener.start();
  await listener.accept(say(0.5));
  assert.deepEqual(fired.map((f) => f.name), ['hey_mycroft']);

  // alexa added beside it: the engine of the folder is rebuilt with both words
  const both = new FakeWakeEngine({ hey_mycroft: 0.5, alexa: 0.25 });
  source.change([{ id: 'oww', engine: both }]);
  await settle();
  assert.equal(mycroft.sessionCount, 0, 'the old engine was let go');
  assert.equal(both.sessionCount, 1);
  await listener.accept(say(0.5));
  await listener.accept(say(0.25));
  assert.deepEqual(fired.map((f) => f.name), ['hey_mycroft', 'hey_mycroft'], 'still listening for its own word, and only for it');
  assert.deepEqual(rechosen, [['hey_mycroft']]);

  // its word removed: a lenient listener (the satellite) falls back to what is installed
  const alexaOnly = new FakeWakeEngine({ alexa: 0.25 });
  source.change([{ id: 'oww', engine: alexaOnly }]);
  await settle();
  await listener.accept(say(0.25));
  assert.deepEqual(fired.map((f) => f.name), ['hey_mycroft', 'hey_mycroft', 'alexa']);
  assert.deepEqual(listener.listening, ['alexa']);

  // and it comes back
  source.change([{ id: 'oww', engine: both }]);
  await settle();
  assert.deepEqual(listener.listening, ['hey_mycroft']);
  listener.close();
  assert.equal(source.leases, 0, 'every lease was released');
});

test('a strict listener (a detect naming words) is refused when none of them is installed', async () => {
  const source = new FakeWakeSource([{ id: 'oww', engine: new FakeWakeEngine({ alexa: 0.25 }) }]);
  const listener = new WakeListener(source, { names: ['hey_jarvis'], strict: true, onDetection: () => undefined, log });
  await assert.rejects(listener.start(), { code: 'SAT_ERR_WAKE_MODEL_NOT_FOUND' });
  listener.close();
  assert.equal(source.leases, 0);
});

test('words still downloading are waited for: nothing is heard until they are installed, then they fire', async () => {
  const source = new FakeWakeSource([]);
  source.isWakePending = (names) => names.every((n) => n === 'hey_jarvis');
  const fired: string[] = [];
  const listener = new WakeListener(source, { names: ['hey_jarvis'], strict: true, onDetection: (f) => fired.push(f.name), log });
  await listener.start();
  await listener.accept(say(0.75));
  assert.deepEqual(fired, []);
  source.isWakePending = () => false;
  source.change([{ id: 'oww', engine: new FakeWakeEngine({ hey_jarvis: 0.75 }) }]);
  await settle();
  await listener.accept(say(0.75));
  assert.deepEqual(fired, ['hey_jarvis']);
  listener.close();
});

test('an engine that cannot open a session does not stop the others', async () => {
  const broken = new FakeWakeEngine({ alexa: 0.25 });
  broken.failWith = Object.assign(new Error('bad model'), { code: 'SAT_ERR_MODEL_LOAD' });
  const good = new FakeWakeEngine({ hey_mycroft: 0.5 });
  const source = new FakeWakeSource([
    { id: 'a', engine: broken },
    { id: 'b', engine: good },
  ]);
  const fired: string[] = [];
  const listener = new WakeListener(source, { names: ['alexa', 'hey_mycroft'], strict: true, onDetection: (f) => fired.push(f.name), log });
  await listener.start();
  await listener.accept(say(0.5));
  assert.deepEqual(fired, ['hey_mycroft']);
  listener.close();
  assert.equal(source.leases, 0);
});
