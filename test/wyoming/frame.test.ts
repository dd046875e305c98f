import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { FrameDecoder, encodeFrame, type Frame } from '../../src/wyoming/frame.js';
import { EVENT_TYPES, parseEvent } from '../../src/wyoming/events.js';
import { WyomingProtocolError } from '../../src/wyoming/errors.js';
import { pythonJson } from '../../src/wyoming/json.js';
import { SAMPLES, goldenBytes } from './samples.js';
import { need } from '../helpers/system.js';

function decodeAll(bytes: Buffer, decoder = new FrameDecoder()): Frame[] {
  return decoder.push(bytes);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WyomingProtocolError, `expected a WyomingProtocolError, got ${String(err)}`);
    return err.code;
  }
  return undefined;
}

describe('frame encoder', () => {
  test('every event type of the catalogue has a golden sample', () => {
    assert.deepEqual(new Set(SAMPLES.map((s) => s.type)), new Set(EVENT_TYPES));
  });

  for (const sample of SAMPLES) {
    test(`writes ${sample.type} byte for byte like the reference writer`, () => {
      const bytes = encodeFrame({ type: sample.type, data: sample.data, payload: sample.payload });
      assert.equal(bytes.toString('latin1'), goldenBytes(sample).toString('latin1'));
    });
  }

  test('counts data_length in UTF-8 bytes, not characters', () => {
    const bytes = encodeFrame({ type: 'synthesize', data: { text: '世界' } });
    const header = JSON.parse(bytes.toString('utf8').split('\n')[0]!) as { data_length: number };
    assert.equal(header.data_length, Buffer.byteLength('{"text": "世界"}', 'utf8'));
    assert.notEqual(header.data_length, '{"text": "世界"}'.length);
  });

  test('sends an empty data object so readers older than 1.7.2 get a dict', () => {
    const text = encodeFrame({ type: 'describe', data: {} }).toString('utf8');
    assert.equal(text, '{"type": "describe", "version": "1.9.0", "data_length": 2}\n{}');
  });

  test('lays out JSON exactly as Python json.dumps(ensure_ascii=False) does', (t) => {
    const python = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write("\\n".join(json.dumps(json.loads(l), ensure_ascii=False) for l in sys.stdin.read().splitlines()))'], {
      input: SAMPLES.map((s) => JSON.stringify(s.data)).join('\n'),
      encoding: 'utf8',
    });
    if (!need(t, python.status === 0, 'python3 is not installed')) return;
    assert.deepEqual(python.stdout.split('\n'), SAMPLES.map((s) => pythonJson(s.data)));
  });
});

describe('frame decoder', () => {
  for (const sample of SAMPLES) {
    test(`round-trips ${sample.type} through encode, decode and typing`, () => {
      const frames = decodeAll(encodeFrame({ type: sample.type, data: sample.data, payload: sample.payload }));
      assert.equal(frames.length, 1);
      const frame = frames[0]!;
      assert.equal(frame.type, sample.type);
      assert.deepEqual(frame.data, sample.data);
      assert.deepEqual(frame.payload, sample.payload);
      const event = parseEvent(frame);
      assert.equal(event?.type, sample.type);
    });
  }

  test('decodes the same frames whatever byte the stream is split at', () => {
    const stream = Buffer.concat(SAMPLES.map(goldenBytes));
    const whole = decodeAll(stream);
    assert.equal(whole.length, SAMPLES.length);
    for (let split = 0; split <= stream.length; split++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(stream.subarray(0, split)), ...decoder.push(stream.subarray(split))];
      assert.deepEqual(frames, whole, `split at byte ${split}`);
    }
  });

  test('decodes a stream fed one byte at a time', () => {
    const stream = Buffer.concat(SAMPLES.slice(0, 6).map(goldenBytes));
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    for (const byte of stream) frames.push(...decoder.push(Buffer.from([byte])));
    assert.deepEqual(frames, decodeAll(stream));
    assert.equal(decoder.pendingBytes, 0);
  });

  test('merges inline data under the data block, block keys winning', () => {
    const block = '{"text": "from block"}';
    const bytes = Buffer.from(`{"type": "transcript", "data": {"text": "inline", "language": "en"}, "data_length": ${block.length}}\n${block}`);
    assert.deepEqual(decodeAll(bytes)[0]!.data, { text: 'from block', language: 'en' });
  });

  test('treats a missing data key as an empty object', () => {
    assert.deepEqual(decodeAll(Buffer.from('{"type": "describe"}\n'))[0], { type: 'describe', data: {} });
  });

  test('tolerates CRLF line ends, unknown header keys and any version', () => {
    const frames = decodeAll(Buffer.from('{"type": "ping", "version": "1.1", "x-extra": [1], "data": {"text": "a"}}\r\n'));
    assert.deepEqual(frames[0], { type: 'ping', data: { text: 'a' } });
  });

  test('passes unknown event types through untouched', () => {
    const frame = decodeAll(encodeFrame({ type: 'future-event', data: { x: 1 }, payload: Buffer.from('zz') }))[0]!;
    assert.deepEqual(frame, { type: 'future-event', data: { x: 1 }, payload: Buffer.from('zz') });
    assert.equal(parseEvent(frame), undefined);
  });

  test('accepts null lengths as absent, like the reference reader', () => {
    const frames = decodeAll(Buffer.from('{"type": "describe", "data_length": null, "payload_length": null}\n'));
    assert.equal(frames[0]!.type, 'describe');
  });
});

describe('frame decoder errors', () => {
  const cases: Array<[string, string, string]> = [
    ['invalid header JSON', '{"type": "ping"\n', 'WY_ERR_BAD_HEADER_JSON'],
    ['a header that is not an object', '["ping"]\n', 'WY_ERR_BAD_HEADER'],
    ['a header without type', '{"data": {}}\n', 'WY_ERR_MISSING_TYPE'],
    ['an empty type', '{"type": ""}\n', 'WY_ERR_MISSING_TYPE'],
    ['a non-object inline data', '{"type": "ping", "data": 3}\n', 'WY_ERR_BAD_HEADER'],
    ['a negative data length', '{"type": "ping", "data_length": -1}\n', 'WY_ERR_BAD_LENGTH'],
    ['a fractional payload length', '{"type": "ping", "payload_length": 1.5}\n', 'WY_ERR_BAD_LENGTH'],
    ['a string length', '{"type": "ping", "data_length": "2"}\n', 'WY_ERR_BAD_LENGTH'],
    ['invalid data block JSON', '{"type": "ping", "data_length": 3}\n{x}', 'WY_ERR_BAD_DATA_JSON'],
    ['a data block that is an array', '{"type": "ping", "data_length": 2}\n[]', 'WY_ERR_BAD_DATA_JSON'],
  ];
  for (const [what, input, code] of cases) {
    test(`rejects ${what} with ${code}`, () => {
      assert.equal(codeOf(() => new FrameDecoder().push(Buffer.from(input))), code);
    });
  }

  test('rejects a header line over the limit before its newline arrives', () => {
    const decoder = new FrameDecoder({ maxHeaderBytes: 1024 });
    assert.equal(codeOf(() => decoder.push(Buffer.alloc(1025, 0x20))), 'WY_ERR_HEADER_TOO_LARGE');
  });

  test('enforces the default 64 KiB header limit', () => {
    const big = `{"type": "ping", "data": {"text": "${'a'.repeat(70 * 1024)}"}}\n`;
    assert.equal(codeOf(() => new FrameDecoder().push(Buffer.from(big))), 'WY_ERR_HEADER_TOO_LARGE');
  });

  test('rejects a data block or payload over its limit from the header alone', () => {
    assert.equal(codeOf(() => new FrameDecoder().push(Buffer.from('{"type": "x", "data_length": 1048577}\n'))), 'WY_ERR_DATA_TOO_LARGE');
    assert.equal(
      codeOf(() => new FrameDecoder({ maxPayloadBytes: 10 }).push(Buffer.from('{"type": "x", "payload_length": 11}\n'))),
      'WY_ERR_PAYLOAD_TOO_LARGE',
    );
  });

  test('hands over the frames completed before an error together with the error', () => {
    const decoder = new FrameDecoder();
    const describeFrame = encodeFrame({ type: 'describe', data: {} });
    const ping = encodeFrame({ type: 'ping', data: { text: 'x' } });
    const result = decoder.decode(Buffer.concat([describeFrame, ping, Buffer.from('{not json}\n'), describeFrame]));
    assert.deepEqual(result.frames.map((f) => f.type), ['describe', 'ping']);
    assert.equal(result.error?.code, 'WY_ERR_BAD_HEADER_JSON');
    assert.equal(decoder.decode(describeFrame).error?.code, 'WY_ERR_BAD_HEADER_JSON');
    assert.deepEqual(decoder.decode(describeFrame).frames, []);
  });

  test('knows when a frame is half-received', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame({ type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.alloc(320) });
    assert.equal(decoder.midFrame, false);
    for (const cut of [5, frame.indexOf(0x0a) + 1, frame.length - 1]) {
      const fresh = new FrameDecoder();
      assert.deepEqual(fresh.decode(frame.subarray(0, cut)).frames, []);
      assert.equal(fresh.midFrame, true, `cut at ${cut}`);
      assert.equal(fresh.decode(frame.subarray(cut)).frames.length, 1);
      assert.equal(fresh.midFrame, false);
    }
  });

  test('stays failed after an error, so a desynchronised stream is never re-read', () => {
    const decoder = new FrameDecoder();
    assert.equal(codeOf(() => decoder.push(Buffer.from('nope\n'))), 'WY_ERR_BAD_HEADER_JSON');
    assert.equal(codeOf(() => decoder.push(Buffer.from('{"type": "ping"}\n'))), 'WY_ERR_BAD_HEADER_JSON');
  });

  test('types events strictly: wrong field types are WY_ERR_BAD_EVENT_DATA', () => {
    const frame = { type: 'audio-chunk', data: { rate: '16000', width: 2, channels: 1 } };
    assert.equal(codeOf(() => parseEvent(frame)), 'WY_ERR_BAD_EVENT_DATA');
    assert.equal(codeOf(() => parseEvent({ type: 'run-pipeline', data: { start_stage: 'tts', end_stage: 'asr' } })), 'WY_ERR_BAD_EVENT_DATA');
    assert.equal(codeOf(() => parseEvent({ type: 'transcript', data: {} })), 'WY_ERR_BAD_EVENT_DATA');
  });
});
