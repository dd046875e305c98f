import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, encodeFrame } from '../../src/wyoming/frame.js';
import { WyomingProtocolError } from '../../src/wyoming/errors.js';
import { parseEvent } from '../../src/wyoming/events.js';
import { SAMPLES, goldenBytes } from './samples.js';
import { mulberry32 as rng } from '../helpers/seeded-random.js';

const ITERATIONS = 100_000;
const LIMITS = { maxHeaderBytes: 512, maxDataBytes: 2048, maxPayloadBytes: 4096 };

const TOKENS = ['{', '}', '"type"', ':', '"ping"', ',', '"data_length"', '"payload_length"', '\n', '\r', '-1', '1e9', '2', '"data"', 'null', '[', ']', '0'];

function mutate(bytes: Buffer, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + Math.floor(random() * 4);
  let result = out;
  for (let e = 0; e < edits; e++) {
    const kind = Math.floor(random() * 4);
    const at = Math.floor(random() * Math.max(1, result.length));
    if (kind === 0 && result.length > 0) result[at] = Math.floor(random() * 256);
    else if (kind === 1) result = Buffer.concat([result.subarray(0, at), result.subarray(at + 1 + Math.floor(random() * 8))]);
    else if (kind === 2) result = Buffer.concat([result.subarray(0, at), Buffer.from(TOKENS[Math.floor(random() * TOKENS.length)]!), result.subarray(at)]);
    else result = Buffer.concat([result, result.subarray(0, at)]);
  }
  return result;
}

function randomBytes(random: () => number): Buffer {
  const length = Math.floor(random() * 96);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    out[i] = random() < 0.25 ? 0x0a : Math.floor(random() * 256);
  }
  return out;
}

test(`the decoder only ever returns frames or coded errors for ${ITERATIONS} random and mutated inputs`, () => {
  const random = rng(0x5eed);
  const corpus = SAMPLES.map(goldenBytes);
  let frames = 0;
  let errors = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 2 === 0 ? mutate(corpus[i % corpus.length]!, random) : randomBytes(random);
    const decoder = new FrameDecoder(LIMITS);
    // feed in random pieces so the state machine sees every kind of split
    let at = 0;
    try {
      while (at < input.length) {
        const size = 1 + Math.floor(random() * 16);
        for (const frame of decoder.push(input.subarray(at, at + size))) {
          frames++;
          assert.equal(typeof frame.type, 'string');
          assert.ok(frame.type.length > 0);
          assert.equal(typeof frame.data, 'object');
          try {
            parseEvent(frame);
          } catch (err) {
            assert.ok(err instanceof WyomingProtocolError && err.code === 'WY_ERR_BAD_EVENT_DATA', `typing threw ${String(err)}`);
          }
        }
        at += size;
      }
    } catch (err) {
      assert.ok(err instanceof WyomingProtocolError, `input #${i} threw a non-coded error: ${String(err)}`);
      assert.match(err.code, /^WY_ERR_/);
      errors++;
    }
    assert.ok(decoder.pendingBytes <= input.length);
  }
  // Both outcomes must occur, or the fuzzer is not exercising the decoder.
  assert.ok(frames > 1000, `only ${frames} frames decoded`);
  assert.ok(errors > 1000, `only ${errors} errors raised`);
});

test('valid frames survive being surrounded by arbitrary payload bytes', () => {
  const random = rng(42);
  for (let i = 0; i < 2000; i++) {
    const payload = randomBytes(random);
    const bytes = encodeFrame({ type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1 }, payload });
    const decoded = new FrameDecoder().push(bytes);
    assert.equal(decoded.length, 1);
    assert.deepEqual(decoded[0]!.payload ?? Buffer.alloc(0), payload);
  }
});
