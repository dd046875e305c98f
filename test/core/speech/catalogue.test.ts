import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveCatalogue } from '../../../src/core/speech/catalogue.js';
import type { EngineSpec, SpeechChange } from '../../../src/core/speech/engine-kinds.js';
import type { WakeEngine } from '../../../src/engines/wake/wake.js';
import { createLogger } from '../../../src/util/logger.js';

/** A wake engine that only counts how it is built, loaded and closed. */
class CountedEngine {
  closed = 0;
  loads = 0;
  readonly models;
  constructor(words: string[]) {
    this.models = words.map((name) => ({ name, phrase: name, description: name, languages: ['en'], version: null, backend: 'test', attribution: { name: '', url: '' } }));
  }
  get loaded(): boolean {
    return this.loads > 0;
  }
  async createSession(): Promise<never> {
    throw new Error('unused');
  }
  async load(): Promise<void> {
    this.loads++;
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function rig() {
  let specs: EngineSpec[] = [];
  const built: Array<{ id: string; engine: CountedEngine }> = [];
  const changes: SpeechChange[] = [];
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', destination: { write: (l: string) => void lines.push(l) } });
  const catalogue = new LiveCatalogue({ discover: async () => specs, onChange: (c) => changes.push(c), log });
  const spec = (id: string, key: string, words: string[], options: { preload?: boolean; fail?: boolean } = {}): EngineSpec => ({
    kind: 'wake',
    id,
    key,
    preload: options.preload ?? false,
    build: () => {
      if (options.fail) throw new Error(`${id} is broken`);
      const engine = new CountedEngine(words);
      built.push({ id, engine });
      return engine as unknown as WakeEngine;
    },
  });
  return { catalogue, built, changes, lines, spec, set: (next: EngineSpec[]) => (specs = next) };
}

test('a rescan keeps engines whose key is unchanged, builds new ones, retires vanished ones, and announces each change once', async () => {
  const r = rig();
  r.set([r.spec('oww', 'k1', ['alexa']), r.spec('kws', 'k2', ['hey computer'])]);
  await r.catalogue.rescan();
  assert.deepEqual(r.changes, [{ kind: 'wake', added: ['oww', 'kws'], removed: [] }]);
  const first = r.catalogue.list('wake').map((e) => e.engine);
  r.set([r.spec('oww', 'k1', ['alexa']), r.spec('kws', 'k2-changed', ['hey computer'])]);
  await r.catalogue.rescan();
  const second = r.catalogue.list('wake').map((e) => e.engine);
  assert.equal(second[0], first[0], 'the unchanged engine is kept');
  assert.notEqual(second[1], first[1], 'the changed one is rebuilt');
  assert.equal(r.built.find((b) => b.engine === (first[1] as unknown))!.engine.closed, 1);
  assert.deepEqual(r.changes[1], { kind: 'wake', added: ['kws'], removed: ['kws'] });
  await r.catalogue.rescan();
  assert.equal(r.changes.length, 2, 'a rescan that finds nothing new announces nothing');
});

test('an engine in use when it is removed is closed only when its last lease ends', async () => {
  const r = rig();
  r.set([r.spec('oww', 'k1', ['alexa'])]);
  await r.catalogue.rescan();
  const engine = r.built[0]!.engine;
  const releaseA = r.catalogue.lease(engine);
  const releaseB = r.catalogue.lease(engine);
  r.set([]);
  await r.catalogue.rescan();
  assert.deepEqual(r.catalogue.list('wake'), [], 'gone from every listing at once');
  assert.equal(engine.closed, 0);
  releaseA();
  releaseA();
  assert.equal(engine.closed, 0, 'a release counts once');
  releaseB();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(engine.closed, 1);
});

test('rescans never overlap, and calls made while one runs share the next one', async () => {
  let scans = 0;
  let running = 0;
  let overlapped = false;
  const catalogue = new LiveCatalogue({
    discover: async () => {
      scans++;
      running++;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return [];
    },
    onChange: () => undefined,
    log: createLogger({ level: 'silent' }),
  });
  const first = catalogue.rescan();
  await new Promise((resolve) => setTimeout(resolve, 5)); // the first scan is running now
  await Promise.all([first, catalogue.rescan(), catalogue.rescan(), catalogue.rescan()]);
  assert.equal(overlapped, false);
  assert.equal(scans, 2, 'one scan running, one more for every call that came meanwhile');
  await Promise.all([catalogue.rescan(), catalogue.rescan()]);
  assert.equal(scans, 3, 'calls made before a scan starts share it');
});

test('a model that cannot be built is skipped with one warning, retried on later rescans, and the others serve', async () => {
  const r = rig();
  r.set([r.spec('broken', 'b1', ['x'], { fail: true }), r.spec('good', 'g1', ['alexa'])]);
  await r.catalogue.rescan();
  await r.catalogue.rescan();
  assert.deepEqual(r.catalogue.list('wake').map((e) => e.id), ['good']);
  const warnings = r.lines.filter((l) => l.includes('"level":"warn"') && l.includes('broken'));
  assert.equal(warnings.length, 1);
  r.set([r.spec('broken', 'b1', ['x']), r.spec('good', 'g1', ['alexa'])]);
  await r.catalogue.rescan();
  assert.deepEqual(r.catalogue.list('wake').map((e) => e.id), ['broken', 'good'], 'fixed, it appears on the next rescan');
});

test('preload loads a new engine once, not on every rescan; close closes everything', async () => {
  const r = rig();
  r.set([r.spec('oww', 'k1', ['alexa'], { preload: true })]);
  await r.catalogue.rescan();
  await r.catalogue.rescan();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(r.built[0]!.engine.loads, 1);
  await r.catalogue.close();
  assert.equal(r.built[0]!.engine.closed, 1);
});
