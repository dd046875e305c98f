/** Converting what arrives to what the device takes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePcm, PcmConverter, volumeGain } from '../../../src/adapters/audio/pcm-convert.js';

const MONO16 = { rate: 16000, width: 2, channels: 1 };

test('the same format at unity gain passes through byte for byte, even across odd chunk splits', () => {
  const converter = new PcmConverter(MONO16);
  const pcm = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const out = Buffer.concat([converter.push(pcm.subarray(0, 3), MONO16, 1), converter.push(pcm.subarray(3), MONO16, 1)]);
  assert.deepEqual(out, pcm);
});

test('a gain scales the samples', () => {
  const converter = new PcmConverter(MONO16);
  const pcm = Buffer.alloc(4);
  pcm.writeInt16LE(16000, 0);
  pcm.writeInt16LE(-16000, 2);
  const out = converter.push(pcm, MONO16, 0.5);
  assert.ok(Math.abs(out.readInt16LE(0) - 8000) <= 1);
  assert.ok(Math.abs(out.readInt16LE(2) + 8000) <= 1);
});

test('stereo 32-bit at 48 kHz becomes mono 16-bit at 16 kHz', () => {
  const converter = new PcmConverter(MONO16);
  const frames = 4800;
  const pcm = Buffer.alloc(frames * 8);
  for (let i = 0; i < frames; i++) {
    pcm.writeInt32LE(1 << 29, i * 8);
    pcm.writeInt32LE(1 << 29, i * 8 + 4);
  }
  const out = Buffer.concat([converter.push(pcm, { rate: 48000, width: 4, channels: 2 }, 1), converter.flush(1)]);
  assert.ok(Math.abs(out.length / 2 - 1600) <= 2, `${out.length / 2} samples`);
  assert.ok(Math.abs(out.readInt16LE(400) - 8192) <= 2);
});

test('mono is written to every channel in 8, 16 and 32 bits', () => {
  const samples = Float32Array.from([0.5, -0.5]);
  const u8 = encodePcm(samples, { rate: 8000, width: 1, channels: 2 });
  assert.deepEqual([...u8], [192, 192, 64, 64]);
  const s16 = encodePcm(samples, { rate: 8000, width: 2, channels: 1 });
  assert.deepEqual([s16.readInt16LE(0), s16.readInt16LE(2)], [16384, -16384]);
  const s32 = encodePcm(samples, { rate: 8000, width: 4, channels: 1 });
  assert.ok(Math.abs(s32.readInt32LE(0) - 1073741824) <= 1);
});

test('volume maps to a squared gain and is clamped to 0..100 %', () => {
  assert.equal(volumeGain(100), 1);
  assert.equal(volumeGain(50), 0.25);
  assert.equal(volumeGain(0), 0);
  assert.equal(volumeGain(150), 1);
  assert.equal(volumeGain(-3), 0);
});
