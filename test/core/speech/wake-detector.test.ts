import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeDetector } from '../../../src/core/speech/wake-detector.js';
import { createLogger } from '../../../src/util/logger.js';
import { floatToInt16Bytes } from '../../../src/audio/pcm.js';
import type { EventOf } from '../../../src/wyoming/events.js';
import { SatelliteError, errorCode } from '../../../src/util/errors.js';
import { FakeWakeEngine, FakeWakeSource } from './wake-fakes.js';

const FORMAT = { rate: 16_000, width: 2, channels: 1 };

function setup(defaultModel: string | null = null) {
  const engine = new FakeWakeEngine({ alexa: 0.5, hey_jarvis: -0.5 });
  const sent: Array<{ type: string; data?: unknown }> = [];
  const detected: string[] = [];
  const streams: Array<{ ok: boolean; code?: string; detections: number }> = [];
  const detector = new WakeDetector({
    source: new FakeWakeSource([{ id: 'fake', engine }], defaultModel),
    log: createLogger({ level: 'silent' }),
    sendDetection: async (data) => void sent.push({ type: 'detection', data }),
    sendNotDetected: async () => void sent.push({ type: 'not-detected' }),
    onDetected: ({ name }) => detected.push(name),
    onStreamEnd: (s) => streams.push(s),
  });
  return { engine, detector, sent, detected, streams };
}

/** A chunk of `ms` of silence with an optional marker sample at its end. */
function chunk(ms: number, marker?: number, format = FORMAT): EventOf<'audio-chunk'> {
  const samples = new Float32Array((format.rate * ms) / 1000);
  if (marker !== undefined) samples[samples.length - 1] = marker;
  const mono = floatToInt16Bytes(samples);
  let payload = mono;
  if (format.channels === 2) {
    payload = Buffer.alloc(mono.length * 2);
    for (let i = 0; i < samples.length; i++) {
      payload.writeInt16LE(mono.readInt16LE(i * 2), i * 4);
      payload.writeInt16LE(mono.readInt16LE(i * 2), i * 4 + 2);
    }
  }
  return { type: 'audio-chunk', data: { ...format, timestamp: null }, payload };
}

const types = (events: Array<{ type: string }>) => events.map((e) => e.type);
const detect = (names: string[] | null): EventOf<'detect'> => ({ type: 'detect', data: { names, context: null } });

test('each firing is sent as a detection with ms since audio-start, and the stream goes on', async () => {
  const { detector, sent, detected } = setup();
  await detector.detect(detect(['alexa']));
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(500));
  await detector.audioChunk(chunk(500, 0.5));
  await detector.audioChunk(chunk(1000, 0.5));
  assert.deepEqual(sent, [
    { type: 'detection', data: { name: 'alexa', timestamp: 1000 } },
    { type: 'detection', data: { name: 'alexa', timestamp: 2000 } },
  ]);
  assert.deepEqual(detected, ['alexa', 'alexa']);
});

test('not-detected comes only after audio-stop, and only when nothing fired', async () => {
  const { detector, sent, streams } = setup();
  await detector.detect(detect(null));
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(200));
  assert.deepEqual(sent, []);
  await detector.audioStop();
  assert.deepEqual(sent, [{ type: 'not-detected' }]);
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(200, 0.5));
  await detector.audioStop();
  assert.deepEqual(
    types(sent),
    ['not-detected', 'detection'],
  );
  assert.deepEqual(
    streams.map((s) => [s.ok, s.detections]),
    [
      [true, 0],
      [true, 1],
    ],
  );
});

test('names null listens for the configured default only', async () => {
  const { detector, sent } = setup('hey_jarvis');
  await detector.detect(detect(null));
  assert.deepEqual(detector.listening, ['hey_jarvis']);
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(100, 0.5));
  await detector.audioChunk(chunk(100, -0.5));
  assert.deepEqual(sent, [{ type: 'detection', data: { name: 'hey_jarvis', timestamp: 200 } }]);
});

test('audio in another format is converted to 16 kHz mono before the engine sees it', async () => {
  const { detector, engine } = setup();
  await detector.detect(detect(['alexa']));
  await detector.audioStart({ rate: 48_000, width: 2, channels: 2 });
  await detector.audioChunk(chunk(1000, undefined, { rate: 48_000, width: 2, channels: 2 }));
  const received = engine.sessions[0]!.samples;
  assert.ok(Math.abs(received - 16_000) <= 2, `got ${received} samples for 1 s`);
});

test('a new audio-start resets the sessions; closing without audio-stop frees them and sends nothing', async () => {
  const { detector, engine, sent, streams } = setup();
  await detector.detect(detect(['alexa', 'hey_jarvis']));
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(100));
  await detector.audioStart(FORMAT);
  assert.equal(engine.sessions[0]!.resets, 2);
  detector.close();
  assert.equal(engine.sessionCount, 0);
  assert.deepEqual(sent, []);
  assert.equal(streams.length, 2, 'both streams are counted');
  await detector.audioChunk(chunk(100, 0.5));
  assert.deepEqual(sent, [], 'nothing is reported after close');
});

test('a new detect replaces the sessions of the previous one', async () => {
  const { detector, engine } = setup();
  await detector.detect(detect(['alexa']));
  await detector.detect(detect(['hey_jarvis']));
  assert.equal(engine.sessions.length, 2);
  assert.equal(engine.sessions[0]!.closed, true);
  assert.deepEqual(engine.sessions[1]!.names, ['hey_jarvis']);
});

test('unknown names and undecodable audio are coded errors that count as failed requests', async () => {
  const { detector, streams } = setup();
  await assert.rejects(detector.detect(detect(['okay_nabu'])), { code: 'SAT_ERR_WAKE_MODEL_NOT_FOUND' });
  await detector.detect(detect(['alexa']));
  await detector.audioStart(FORMAT);
  await assert.rejects(detector.audioChunk({ type: 'audio-chunk', data: { rate: 16_000, width: 3, channels: 1, timestamp: null }, payload: Buffer.alloc(6) }), {
    code: 'SAT_ERR_AUDIO_FORMAT',
  });
  assert.deepEqual(
    streams.map((s) => [s.ok, s.code]),
    [
      [false, 'SAT_ERR_WAKE_MODEL_NOT_FOUND'],
      [false, 'SAT_ERR_AUDIO_FORMAT'],
    ],
  );
});

test('a model that cannot be loaded fails a stream once; the rest of its audio is ignored until the next detect or audio-start', async () => {
  const { detector, engine, sent, streams } = setup();
  engine.failWith = new SatelliteError('SAT_ERR_MODEL_LOAD', 'cannot load /models/alexa_v0.1.onnx');
  const failures: unknown[] = [];
  const run = async (step: Promise<void>) => step.catch((err: unknown) => void failures.push(err));

  // Home Assistant: detect, audio-start, then 10 ms chunks for as long as it likes
  await run(detector.detect(detect(['alexa'])));
  await run(detector.audioStart(FORMAT));
  for (let i = 0; i < 100; i++) await run(detector.audioChunk(chunk(10)));
  await run(detector.audioStop());
  assert.deepEqual(
    failures.map((e) => errorCode(e)),
    ['SAT_ERR_MODEL_LOAD'],
    'one error for the whole stream',
  );
  assert.equal(engine.opens, 1, 'the audio-start and the chunks did not try again');
  assert.deepEqual(sent, [], 'no not-detected after the error');

  // the next stream starts with its first chunk (no audio-start): that chunk fails, the others are ignored
  for (let i = 0; i < 50; i++) await run(detector.audioChunk(chunk(10)));
  assert.equal(failures.length, 2);
  assert.equal(engine.opens, 2);
  // an audio-start tries again, once
  await run(detector.audioStart(FORMAT));
  for (let i = 0; i < 50; i++) await run(detector.audioChunk(chunk(10)));
  assert.equal(failures.length, 3);
  assert.equal(engine.opens, 3);

  // once the model loads, the next detect works as before
  engine.failWith = undefined;
  await detector.detect(detect(['alexa']));
  await detector.audioStart(FORMAT);
  await detector.audioChunk(chunk(100, 0.5));
  await detector.audioStop();
  assert.deepEqual(types(sent), ['detection']);
  assert.deepEqual(
    streams.map((s) => [s.ok, s.code ?? null]),
    [
      [false, 'SAT_ERR_MODEL_LOAD'],
      [false, 'SAT_ERR_MODEL_LOAD'],
      [false, 'SAT_ERR_MODEL_LOAD'],
      [true, null],
    ],
    'each failed stream counts once as a failed request',
  );
  detector.close();
  assert.equal(engine.sessionCount, 0);
});
