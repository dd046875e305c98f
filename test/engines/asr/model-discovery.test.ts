import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverAsrModels, pickModelFile } from '../../../src/engines/asr/model-discovery.js';
import { readOnnxMetadataOrEmpty } from '../../../src/engines/runtime/onnx-file.js';
import { need, sharedModel } from '../../helpers/system.js';
import { ZIPFORMER, hasZipformer } from '../../helpers/stt-fixtures.js';
import { asrFixtures } from '../../helpers/asr-fixtures.js';

function folder(root: string, name: string, files: string[]): void {
  for (const f of files) {
    const full = path.join(root, name, f);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
  }
}

test('the shared zipformers are found as streaming transducers with their languages', async (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const specs = await discoverAsrModels(sharedModel());
  const en = specs.find((s) => s.name === ZIPFORMER);
  assert.equal(en?.family, 'streaming-transducer');
  assert.deepEqual(en?.languages, ['en']);
  assert.match(en!.files.encoder!, /encoder-epoch-12-avg-2-chunk-16-left-64\.int8\.onnx$/);
  assert.equal(specs.find((s) => s.name === 'kws-zipformer-wenetspeech-3.3M-mobile')?.languages[0], 'zh');
  // VAD, wake-word and clip folders are not speech-to-text models
  assert.ok(!specs.some((s) => ['silero-vad', 'openwakeword', 'test-wavs'].includes(s.name)));
});

test('ONNX metadata is read without loading the model', async (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const meta = await readOnnxMetadataOrEmpty(sharedModel(ZIPFORMER, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'));
  assert.equal(meta['model_type'], 'zipformer2');
  assert.equal(meta['decode_chunk_len'], '32');
  assert.equal(Object.keys(await readOnnxMetadataOrEmpty(sharedModel('test-wavs', 'trans.txt'))).length, 0);
});

test('folders of every family are recognised by their files, preferring int8', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'asr-discovery-'));
  folder(root, 'sherpa-onnx-whisper-base.en', ['base.en-encoder.onnx', 'base.en-encoder.int8.onnx', 'base.en-decoder.onnx', 'base.en-decoder.int8.onnx', 'base.en-tokens.txt']);
  folder(root, 'moonshine-tiny', ['preprocess.onnx', 'encode.int8.onnx', 'uncached_decode.int8.onnx', 'cached_decode.int8.onnx', 'tokens.txt']);
  folder(root, 'moonshine-v2', ['encoder_model.ort', 'decoder_model_merged.ort', 'tokens.txt']);
  folder(root, 'sherpa-onnx-sense-voice-small', ['model.int8.onnx', 'tokens.txt']);
  folder(root, 'sherpa-onnx-paraformer-zh', ['model.int8.onnx', 'tokens.txt']);
  folder(root, 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8', ['encoder.int8.onnx', 'decoder.int8.onnx', 'joiner.int8.onnx', 'tokens.txt']);
  folder(root, 'sherpa-onnx-streaming-zipformer-en-20M', ['encoder-epoch-99.onnx', 'decoder-epoch-99.onnx', 'joiner-epoch-99.onnx', 'tokens.txt']);
  folder(root, 'icefall-zipformer-offline', ['encoder.onnx', 'decoder.onnx', 'joiner.onnx', 'tokens.txt']);
  folder(root, 'vosk-model-small-de-0.15', ['am/final.mdl', 'graph/HCLr.fst', 'conf/model.conf']);
  folder(root, 'not-a-model', ['readme.txt']);
  const specs = new Map((await discoverAsrModels(root)).map((s) => [s.name, s]));
  assert.equal(specs.get('sherpa-onnx-whisper-base.en')?.family, 'whisper');
  assert.match(specs.get('sherpa-onnx-whisper-base.en')!.files.decoder!, /base\.en-decoder\.int8\.onnx$/);
  assert.equal(specs.get('moonshine-tiny')?.family, 'moonshine');
  assert.match(specs.get('moonshine-tiny')!.files.preprocessor!, /preprocess\.onnx$/);
  assert.match(specs.get('moonshine-v2')!.files.mergedDecoder!, /decoder_model_merged\.ort$/);
  assert.equal(specs.get('sherpa-onnx-sense-voice-small')?.family, 'sense-voice');
  assert.equal(specs.get('sherpa-onnx-paraformer-zh')?.family, 'paraformer');
  assert.equal(specs.get('sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8')?.family, 'nemo-transducer');
  assert.equal(specs.get('sherpa-onnx-streaming-zipformer-en-20M')?.family, 'streaming-transducer');
  assert.equal(specs.get('icefall-zipformer-offline')?.family, 'transducer');
  assert.equal(specs.get('vosk-model-small-de-0.15')?.family, 'vosk');
  assert.deepEqual(specs.get('vosk-model-small-de-0.15')?.languages, ['de']);
  assert.equal(specs.has('not-a-model'), false);
  // preference order: accurate offline models first, Vosk last
  const order = (await discoverAsrModels(root)).map((s) => s.family);
  assert.equal(order[0], 'nemo-transducer');
  assert.equal(order.at(-1), 'vosk');
});

test('the generated Whisper fixture reports its languages from metadata', async (t) => {
  const fx = asrFixtures();
  if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
  const meta = await readOnnxMetadataOrEmpty(path.join(fx.dir!, 'whisper-fixture', 'tiny-encoder.onnx'));
  assert.equal(meta['all_language_codes'], 'en,de');
});

test('generated fixtures in neutrally named folders are told apart by their ONNX metadata alone', async (t) => {
  const fx = asrFixtures();
  if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
  const root = mkdtempSync(path.join(os.tmpdir(), 'asr-by-metadata-'));
  const renamed = { 'nemo-parakeet-tdt-fixture': 'model-a', 'paraformer-fixture': 'model-b', 'sense-voice-fixture': 'model-c' };
  for (const [from, to] of Object.entries(renamed)) cpSync(path.join(fx.dir!, from), path.join(root, to), { recursive: true });
  const specs = new Map((await discoverAsrModels(root)).map((s) => [s.name, s.family]));
  assert.equal(specs.get('model-a'), 'nemo-transducer');
  assert.equal(specs.get('model-b'), 'paraformer');
  assert.equal(specs.get('model-c'), 'sense-voice');
});

test('int8 files win over full precision when both are present', () => {
  assert.equal(pickModelFile(['encoder.onnx', 'encoder.int8.onnx'], /^encoder.*\.onnx$/), 'encoder.int8.onnx');
  assert.equal(pickModelFile(['encoder.onnx'], /^encoder.*\.onnx$/), 'encoder.onnx');
  assert.equal(pickModelFile(['x.onnx'], /^encoder.*\.onnx$/), undefined);
});
