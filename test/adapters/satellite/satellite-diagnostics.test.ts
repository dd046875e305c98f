/**
 * The satellite's mic level and wake scores for the live view: nothing is computed or sent while
 * no one listens on the bus; with a listener, the level of the audio since the last report comes
 * out in dBFS at most once per interval, and each word's highest score over the interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreBus, type CoreEvents } from '../../../src/core/bus.js';
import { DIAGNOSTICS_INTERVAL_MS, SatelliteDiagnostics, SILENCE_DBFS } from '../../../src/adapters/satellite/satellite-diagnostics.js';
import { createLogger } from '../../../src/util/logger.js';

function sine(amplitude: number, samples = 1600): Buffer {
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 440 * i) / 16000)), i * 2);
  return pcm;
}

test('no listener: no level or score is sent; with one, a sine at half scale reads about -9 dBFS RMS and -6 dBFS peak, throttled', () => {
  const bus = new CoreBus(createLogger({ level: 'silent' }));
  let now = 0;
  const diagnostics = new SatelliteDiagnostics(bus, () => now);
  diagnostics.micChunk(sine(0.5));
  diagnostics.wakeScores({ alexa: 0.9 });

  const levels: Array<CoreEvents['mic-level']> = [];
  const scores: Array<CoreEvents['wake-scores']> = [];
  bus.on('mic-level', 'test', (e) => levels.push(e));
  bus.on('wake-scores', 'test', (e) => scores.push(e));
  for (let i = 0; i < 10; i++) {
    diagnostics.micChunk(sine(0.5));
    diagnostics.wakeScores({ alexa: i === 3 ? 0.8 : 0.1, hey_jarvis: 0.05 });
    now += DIAGNOSTICS_INTERVAL_MS / 4;
  }
  assert.ok(levels.length >= 2 && levels.length <= 3, `throttled to one per interval (${levels.length} for ${(10 * DIAGNOSTICS_INTERVAL_MS) / 4} ms)`);
  assert.ok(Math.abs(levels[0]!.rmsDbfs - -9.03) < 0.2, `RMS ${levels[0]!.rmsDbfs}`);
  assert.ok(Math.abs(levels[0]!.peakDbfs - -6.02) < 0.2, `peak ${levels[0]!.peakDbfs}`);
  assert.equal(scores[0]!.scores['alexa'], 0.8, 'the highest score of the interval is reported');
  assert.equal(scores[0]!.scores['hey_jarvis'], 0.05);
  assert.ok(!scores.slice(1).some((s) => s.scores['alexa'] === 0.8), 'a new interval starts from scratch');

  bus.removeOwner('test');
  levels.length = 0;
  now += 1_000;
  diagnostics.micChunk(Buffer.alloc(3200));
  bus.on('mic-level', 'test', (e) => levels.push(e));
  diagnostics.micChunk(Buffer.alloc(3200));
  now += DIAGNOSTICS_INTERVAL_MS;
  diagnostics.micChunk(Buffer.alloc(3200));
  assert.equal(levels.at(-1)!.rmsDbfs, SILENCE_DBFS, 'digital silence is a finite floor');
});
