import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeechSegmenter, speechFraction } from '../../../src/engines/vad/speech-segmenter.js';

const WINDOW = 0.032;

function run(probs: number[], minSilence = 0.1, minSpeech = 0.064) {
  const s = new SpeechSegmenter({ threshold: 0.5, minSilenceSeconds: minSilence, minSpeechSeconds: minSpeech, windowSeconds: WINDOW });
  const events = probs.flatMap((p) => s.push(p));
  events.push(...s.flush());
  return { s, events };
}

test('speech starts once it has lasted the minimum and ends after the minimum silence', () => {
  const probs = [0, 0, 0.9, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0, 0];
  const { s, events } = run(probs);
  assert.deepEqual(events.map((e) => e.type), ['start', 'end']);
  assert.equal(s.segments.length, 1);
  assert.ok(Math.abs(s.segments[0]!.start - 2 * WINDOW) < 1e-9);
  assert.ok(Math.abs(s.segments[0]!.end - 6 * WINDOW) < 1e-9);
});

test('a blip shorter than the minimum speech is ignored', () => {
  const { s, events } = run([0, 0.9, 0, 0, 0, 0, 0, 0], 0.1, 0.1);
  assert.deepEqual(events, []);
  assert.equal(s.segments.length, 0);
});

test('probabilities between the two thresholds keep speech open (hysteresis)', () => {
  const { s } = run([0.9, 0.9, 0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.9, 0, 0, 0, 0, 0, 0]);
  assert.equal(s.segments.length, 1);
});

test('a short pause inside speech does not split it; a long one does', () => {
  const short = run([0.9, 0.9, 0.9, 0, 0, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0, 0]);
  assert.equal(short.s.segments.length, 1);
  const long = run([0.9, 0.9, 0.9, 0, 0, 0, 0, 0, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0]);
  assert.equal(long.s.segments.length, 2);
});

test('flush closes open speech at the end of input', () => {
  const { s, events } = run([0, 0.9, 0.9, 0.9]);
  assert.equal(events.at(-1)?.type, 'end');
  assert.ok(Math.abs(s.segments[0]!.end - 4 * WINDOW) < 1e-9);
  assert.ok(Math.abs(speechFraction(s.segments, 4 * WINDOW) - 0.75) < 1e-9);
});
