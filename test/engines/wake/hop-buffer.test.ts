import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HopBuffer } from '../../../src/engines/wake/hop-buffer.js';

function ramp(from: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => from + i);
}

test('chunks of any size come out as whole hops in order', async () => {
  const seen: number[] = [];
  const buffer = new HopBuffer(4, 1_000, async (hop) => {
    seen.push(...hop);
  });
  let at = 0;
  for (const size of [1, 3, 7, 2, 0, 11]) {
    await buffer.push(ramp(at, size));
    at += size;
  }
  assert.deepEqual(seen, [...ramp(0, 24)]);
});

test('pushes that are not awaited are still processed one hop at a time, in order', async () => {
  const seen: number[] = [];
  let running = 0;
  const buffer = new HopBuffer(2, 1_000, async (hop) => {
    running++;
    assert.equal(running, 1, 'hops never overlap');
    await new Promise((r) => setTimeout(r, 1));
    seen.push(hop[0]!);
    running--;
  });
  const pushes = [buffer.push(ramp(0, 4)), buffer.push(ramp(4, 4)), buffer.push(ramp(8, 2))];
  await Promise.all(pushes);
  assert.deepEqual(seen, [0, 2, 4, 6, 8]);
});

test('a backlog from earlier pushes beyond the limit drops the oldest audio, but one large push is kept whole', async () => {
  const seen: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const buffer = new HopBuffer(1, 3, async (hop) => {
    await gate;
    seen.push(hop[0]!);
  });
  const first = buffer.push(ramp(0, 10));
  const second = buffer.push(ramp(10, 2));
  release();
  await Promise.all([first, second]);
  assert.equal(buffer.dropped, 7, 'the waiting backlog is cut to the limit of 3 samples');
  assert.deepEqual(seen, [7, 8, 9, 10, 11], 'the oldest audio is dropped, the newest processed');
  const whole: number[] = [];
  const big = new HopBuffer(1, 3, async (hop) => {
    whole.push(hop[0]!);
  });
  await big.push(ramp(0, 20));
  assert.equal(whole.length, 20);
});

test('reset skips queued hops and runs its callback before later audio', async () => {
  const events: string[] = [];
  const buffer = new HopBuffer(2, 1_000, async (hop) => {
    await new Promise((r) => setTimeout(r, 1));
    events.push(`hop ${hop[0]}`);
  });
  const early = buffer.push(ramp(0, 6));
  await new Promise((r) => setImmediate(r)); // the first hop is now in flight
  buffer.reset(() => events.push('reset'));
  const late = buffer.push(ramp(100, 2));
  await Promise.all([early, late]);
  assert.deepEqual(events, ['hop 0', 'reset', 'hop 100']);
});
