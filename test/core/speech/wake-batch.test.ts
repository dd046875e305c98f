import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcmBatch, bytesPerBatch } from '../../../src/core/speech/wake-batch.js';
import { errorCode } from '../../../src/util/errors.js';

const MONO16 = { rate: 16_000, width: 2, channels: 1 };
const STEREO48 = { rate: 48_000, width: 2, channels: 2 };

/** `bytes` bytes counting up from `from`, so order and joins can be checked. */
function counting(bytes: number, from = 0): Buffer {
  return Buffer.from(Array.from({ length: bytes }, (_, i) => (from + i) % 256));
}

test('80 ms of the declared format make one batch: 2560 bytes of 16 kHz mono, 15360 of 48 kHz stereo', () => {
  assert.equal(bytesPerBatch(MONO16), 2_560);
  assert.equal(bytesPerBatch(STEREO48), 15_360);
});

test('ten-millisecond chunks are held until eight of them make a batch, handed over joined in order', () => {
  const batch = new PcmBatch();
  const all = counting(2_560 * 2);
  const due: Buffer[] = [];
  for (let at = 0; at < all.length; at += 320) {
    const pieces = batch.push(all.subarray(at, at + 320), MONO16);
    if ((at / 320 + 1) % 8 !== 0) assert.equal(pieces.length, 0, 'nothing is due within a batch');
    for (const p of pieces) due.push(Buffer.from(p.bytes));
  }
  assert.equal(due.length, 2);
  assert.deepEqual(Buffer.concat(due), all);
  assert.equal(batch.pending, 0);
});

test('a chunk of a batch or more passes through after what was held; flush hands over the rest', () => {
  const batch = new PcmBatch();
  assert.deepEqual(batch.push(counting(100), MONO16), []);
  const big = counting(10_000, 100);
  const pieces = batch.push(big, MONO16);
  assert.deepEqual(
    pieces.map((p) => p.bytes.length),
    [100, 10_000],
  );
  assert.equal(pieces[1]!.bytes, big, 'the large chunk is not copied');
  assert.deepEqual(batch.push(counting(60), MONO16), []);
  assert.equal(batch.flush()?.bytes.length, 60);
  assert.equal(batch.flush(), undefined);
});

test('a change of format first hands over what was collected in the old format', () => {
  const batch = new PcmBatch();
  batch.push(counting(640), MONO16);
  const pieces = batch.push(counting(400, 7), STEREO48);
  assert.equal(pieces.length, 1);
  assert.deepEqual(pieces[0]!.format, MONO16);
  assert.deepEqual(Buffer.from(pieces[0]!.bytes), counting(640), 'the held bytes survive the next chunk being stored');
  assert.deepEqual(batch.flush()?.format, STEREO48);
});

test('a chunk in a format nobody can convert is refused before any of it is kept', () => {
  const batch = new PcmBatch();
  assert.throws(
    () => batch.push(counting(10), { rate: 16_000, width: 3, channels: 1 }),
    (err: unknown) => errorCode(err) === 'SAT_ERR_AUDIO_FORMAT',
  );
  assert.equal(batch.pending, 0);
  batch.push(counting(10), MONO16);
  batch.clear();
  assert.equal(batch.flush(), undefined);
});
