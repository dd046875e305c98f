import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readOnnxMetadata } from '../../../src/engines/runtime/onnx-file.js';
import { withOnnxMetadata, writeOnnxMetadata } from '../../../src/engines/tts/onnx-metadata.js';
import { piperModel } from '../../../scripts/fixtures/tts-fixtures.js';
import { removeTempDirs, tempDir } from './tts-test-kit.js';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

after(removeTempDirs);

test('metadata written through protobuf reads back, replacing entries with the same key and keeping the others', async () => {
  const dir = tempDir('onnx-meta');
  const source = path.join(dir, 'in.onnx');
  const target = path.join(dir, 'out.onnx');
  writeFileSync(source, piperModel({ speakers: 0, metadata: { exported_by: 'fixture', comment: 'old' } }));
  assert.deepEqual(await readOnnxMetadata(source), { exported_by: 'fixture', comment: 'old' });

  await writeOnnxMetadata(source, target, { comment: 'piper', n_speakers: 1, language: 'English (ünïcode)' });
  assert.deepEqual(await readOnnxMetadata(target), { exported_by: 'fixture', comment: 'piper', n_speakers: '1', language: 'English (ünïcode)' });
});

test('the rewritten model still loads in onnxruntime with the same inputs and outputs and runs', async () => {
  const original = piperModel({ speakers: 2 });
  const rewritten = withOnnxMetadata(original, { sample_rate: 22050 });
  assert.ok(rewritten.subarray(0, original.length).equals(original), 'the original bytes are kept as they were');
  const session = await ort.InferenceSession.create(rewritten);
  assert.deepEqual(session.inputNames, ['input', 'input_lengths', 'scales', 'sid']);
  assert.deepEqual(session.outputNames, ['output']);
  const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 5n, 0n, 7n, 2n]), [1, 5]);
  const out = await session.run({
    input: ids,
    input_lengths: new ort.Tensor('int64', BigInt64Array.from([5n]), [1]),
    scales: new ort.Tensor('float32', Float32Array.from([0.667, 1, 0.8]), [3]),
    sid: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]),
  });
  assert.deepEqual(out['output']!.dims, [1, 1, 5 * 256]);
  await session.release();
});

test('a file that is not an ONNX model gives SAT_ERR_MODEL_INVALID, a missing one SAT_ERR_MODEL_NOT_FOUND', async () => {
  const dir = tempDir('onnx-bad');
  const text = path.join(dir, 'text.onnx');
  writeFileSync(text, 'this is not protobuf at all, just words\n');
  await assert.rejects(readOnnxMetadata(text), { code: 'SAT_ERR_MODEL_INVALID' });
  const truncated = path.join(dir, 'truncated.onnx');
  writeFileSync(truncated, piperModel({ speakers: 0 }).subarray(0, 200));
  await assert.rejects(readOnnxMetadata(truncated), { code: 'SAT_ERR_MODEL_INVALID' });
  assert.throws(() => withOnnxMetadata(Buffer.from([0xff, 0xff, 0xff]), { a: 1 }), { code: 'SAT_ERR_MODEL_INVALID' });
  await assert.rejects(readOnnxMetadata(path.join(dir, 'missing.onnx')), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
});
