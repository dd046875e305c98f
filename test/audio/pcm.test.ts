import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AudioStreamConverter,
  PcmFrameAligner,
  StreamResampler,
  checkFormat,
  floatToInt16Bytes,
  pcmToFloatMono,
  resample,
} from '../../src/audio/pcm.js';
import { encodeWav, parseWav } from '../../src/audio/wav.js';

function tone(rate: number, seconds: number, hz = 440): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
}

test('16-bit mono round-trips through float and back', () => {
  const samples = Float32Array.from([0, 0.5, -0.5, 0.999, -1]);
  const back = pcmToFloatMono(floatToInt16Bytes(samples), { rate: 16000, width: 2, channels: 1 });
  samples.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) < 1e-4, `sample ${i}`));
});

test('float to 16-bit clamps past full scale, applies the gain and writes little-endian bytes', () => {
  const pcm = floatToInt16Bytes(Float32Array.from([1.5, -2, 0.5, -0.5, 1, -1]));
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => pcm.readInt16LE(i * 2)), [32767, -32768, 16384, -16384, 32767, -32768]);
  assert.deepEqual(floatToInt16Bytes(Float32Array.from([0.25, 0.75]), 2), floatToInt16Bytes(Float32Array.from([0.5, 1])));
});

test('an odd byte offset (a payload sliced from a socket buffer) decodes the same as an aligned one', () => {
  const pcm = floatToInt16Bytes(Float32Array.from([0.25, -0.25, 0.75]));
  const shifted = Buffer.concat([Buffer.from([9]), pcm]).subarray(1);
  assert.equal(shifted.byteOffset % 2, 1);
  assert.deepEqual(pcmToFloatMono(shifted, { rate: 8000, width: 2, channels: 1 }), pcmToFloatMono(pcm, { rate: 8000, width: 2, channels: 1 }));
});

test('8-bit unsigned, 32-bit signed and stereo input average to the same mono signal', () => {
  const u8 = Buffer.from([128, 192, 64]);
  assert.deepEqual(Array.from(pcmToFloatMono(u8, { rate: 8000, width: 1, channels: 1 })), [0, 0.5, -0.5]);
  const s32 = Buffer.alloc(8);
  s32.writeInt32LE(1 << 30, 0);
  s32.writeInt32LE(-(1 << 30), 4);
  assert.deepEqual(Array.from(pcmToFloatMono(s32, { rate: 8000, width: 4, channels: 1 })), [0.5, -0.5]);
  const stereo = Buffer.alloc(4);
  stereo.writeInt16LE(16384, 0);
  stereo.writeInt16LE(0, 2);
  assert.deepEqual(Array.from(pcmToFloatMono(stereo, { rate: 8000, width: 2, channels: 2 })), [0.25]);
});

test('unsupported formats are coded errors', () => {
  for (const format of [{ rate: 0, width: 2, channels: 1 }, { rate: 16000, width: 3, channels: 1 }, { rate: 16000, width: 2, channels: 0 }]) {
    assert.throws(() => checkFormat(format), { code: 'SAT_ERR_AUDIO_FORMAT' });
  }
});

test('resampling keeps duration and pitch', () => {
  const input = tone(44100, 1, 440);
  const output = resample(input, 44100, 16000);
  assert.ok(Math.abs(output.length - 16000) <= 2, `length ${output.length}`);
  // zero crossings per second ≈ 2 × 440 whatever the rate
  let crossings = 0;
  for (let i = 1; i < output.length; i++) if (Math.sign(output[i]!) !== Math.sign(output[i - 1]!)) crossings++;
  assert.ok(Math.abs(crossings - 880) < 10, `${crossings} crossings`);
});

test('a streaming resampler fed in odd pieces matches one-shot resampling', () => {
  const input = tone(22050, 0.5, 300);
  const whole = resample(input, 22050, 16000);
  const stream = new StreamResampler(22050, 16000);
  const parts: number[] = [];
  for (let at = 0; at < input.length; at += 997) parts.push(...stream.push(input.subarray(at, at + 997)));
  parts.push(...stream.flush());
  assert.equal(parts.length, whole.length);
  parts.forEach((v, i) => assert.ok(Math.abs(v - whole[i]!) < 1e-6, `sample ${i}`));
});

test('the frame aligner holds back a partial frame until the rest arrives', () => {
  const aligner = new PcmFrameAligner();
  assert.equal(aligner.push(Buffer.from([1, 2, 3]), 2).length, 2);
  assert.equal(aligner.pending, 1);
  assert.deepEqual([...aligner.push(Buffer.from([4]), 2)], [3, 4]);
});

test('the stream converter turns 44.1 kHz stereo in odd byte counts into 16 kHz mono', () => {
  const mono = tone(44100, 0.5);
  const stereo = Buffer.alloc(mono.length * 4);
  mono.forEach((v, i) => {
    stereo.writeInt16LE(Math.round(v * 32767), i * 4);
    stereo.writeInt16LE(Math.round(v * 32767), i * 4 + 2);
  });
  const converter = new AudioStreamConverter(16000);
  let total = 0;
  for (let at = 0; at < stereo.length; at += 1001) total += converter.push(stereo.subarray(at, at + 1001), { rate: 44100, width: 2, channels: 2 }).length;
  total += converter.flush().length;
  assert.ok(Math.abs(total - 8000) <= 2, `${total} samples`);
});

test('WAV files round-trip, and a streaming header of unknown length is read to the end', () => {
  const pcm = floatToInt16Bytes(tone(16000, 0.1));
  const wav = encodeWav(pcm, { rate: 16000, width: 2, channels: 1 });
  assert.deepEqual(parseWav(wav), { format: { rate: 16000, width: 2, channels: 1 }, pcm });
  const streaming = Buffer.from(wav);
  streaming.writeUInt32LE(0xffffffff, 40);
  assert.equal(parseWav(streaming).pcm.length, pcm.length);
  assert.throws(() => parseWav(Buffer.from('not a wav file at all')), { code: 'SAT_ERR_BAD_WAV' });
});
