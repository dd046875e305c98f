import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeTrigger } from '../../../src/engines/wake/wake-trigger.js';

const HOP = 80;

function run(trigger: WakeTrigger, scores: number[]): number[] {
  const fired: number[] = [];
  scores.forEach((score, i) => {
    if (trigger.update(score, (i + 1) * HOP)) fired.push((i + 1) * HOP);
  });
  return fired;
}

test('a word fires on the first hop at or above the threshold, then stays quiet for the refractory period', () => {
  const trigger = new WakeTrigger({ threshold: 0.5, triggerLevel: 1, refractoryMs: 400 });
  assert.deepEqual(run(trigger, [0.1, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.2]), [160, 560]);
});

test('a trigger level needs that many consecutive hops above the threshold', () => {
  const trigger = new WakeTrigger({ threshold: 0.5, triggerLevel: 3, refractoryMs: 10_000 });
  assert.deepEqual(run(trigger, [0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9]), [480]);
});

test('scores below the threshold and NaN never fire', () => {
  const trigger = new WakeTrigger({ threshold: 0.5, triggerLevel: 1, refractoryMs: 0 });
  assert.deepEqual(run(trigger, [0.49, Number.NaN, 0]), []);
});

test('reset ends the refractory period', () => {
  const trigger = new WakeTrigger({ threshold: 0.5, triggerLevel: 1, refractoryMs: 10_000 });
  assert.equal(trigger.update(1, 80), true);
  assert.equal(trigger.update(1, 160), false);
  trigger.reset();
  assert.equal(trigger.update(1, 80), true);
});
