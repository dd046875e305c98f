import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelPool } from '../../../src/engines/runtime/model-pool.js';
import { ModelSlot } from '../../../src/engines/runtime/model-slot.js';

/** A pool of `size` copies whose loads are counted; each job waits for its own release. */
function pool(size: number) {
  let loads = 0;
  const slots = Array.from({ length: size }, (_, i) => new ModelSlot<{ copy: number }>({ name: `m${i}`, load: async () => (loads++, { copy: i }), idleUnloadSeconds: 0, concurrency: 1, maxQueue: 4 }));
  return { pool: new ModelPool(slots), loads: () => loads };
}

function deferred() {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('overlapping jobs run at once on different copies; sequential ones stay on one loaded copy', async () => {
  const { pool: p, loads } = pool(2);
  for (let i = 0; i < 3; i++) assert.equal(await p.run(async (m) => m.copy), 0);
  assert.equal(loads(), 1, 'a second copy loads only when the first is busy');
  let running = 0;
  let peak = 0;
  const gates = [deferred(), deferred()];
  const jobs = gates.map((gate) =>
    p.run(async (m) => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
      return m.copy;
    }),
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(peak, 2, 'both jobs run at the same time');
  for (const gate of gates) gate.resolve();
  assert.deepEqual((await Promise.all(jobs)).sort(), [0, 1]);
  assert.equal(p.loadedCopies, 2);
});

test('one copy serialises overlapping jobs', async () => {
  const { pool: p } = pool(1);
  let running = 0;
  let peak = 0;
  const jobs = Array.from({ length: 3 }, () =>
    p.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    }),
  );
  await Promise.all(jobs);
  assert.equal(peak, 1);
});

test('leases spread over the copies and return them on release; a released copy is picked again first', async () => {
  const { pool: p } = pool(3);
  const a = await p.lease();
  const b = await p.lease();
  assert.notEqual(a.model.copy, b.model.copy);
  a.release();
  a.release(); // twice is harmless
  const c = await p.lease();
  assert.equal(c.model.copy, a.model.copy, 'the freed, loaded copy before an unloaded one');
  b.release();
  c.release();
  await p.unload();
  assert.equal(p.loaded, false);
});

test('a job aborted while it waits for its copy never runs', async () => {
  const { pool: p } = pool(1);
  const gate = deferred();
  const first = p.run(() => gate.promise);
  const abort = new AbortController();
  let ran = false;
  const second = p.run(async () => {
    ran = true;
  }, abort.signal);
  abort.abort();
  await assert.rejects(second, { code: 'SAT_ERR_CANCELLED' });
  gate.resolve();
  await first;
  assert.equal(ran, false);
});
