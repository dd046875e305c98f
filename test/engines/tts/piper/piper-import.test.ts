import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOnnxMetadata } from '../../../../src/engines/runtime/onnx-file.js';
import { PiperEngine, findPiperFiles } from '../../../../src/engines/tts/piper/piper-engine.js';
import { importPiperVoice, piperTokens } from '../../../../src/engines/tts/piper/piper-import.js';
import { piperPhonemeIdMap, piperVoiceJson, writeRawPiperVoice } from '../../../../scripts/fixtures/tts-fixtures.js';
import { need } from '../../../helpers/system.js';
import { ESPEAK_DATA, RUNTIME, quietLog, removeTempDirs, speak, tempDir } from '../tts-test-kit.js';

describe('models import-piper', () => {
  after(removeTempDirs);

  test('a raw wyoming-piper voice becomes a voice folder under models_dir that loads and speaks', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
    const onnx = writeRawPiperVoice(tempDir('ha-voices'), { name: 'en_US-kitchen-low', speakers: ['alice', 'bob'] });
    const modelsDir = tempDir('models');
    const result = await importPiperVoice(onnx, modelsDir);
    assert.equal(result.name, 'en_US-kitchen-low');
    assert.equal(result.dir, path.join(modelsDir, 'en_US-kitchen-low'));
    assert.deepEqual(readdirSync(modelsDir), ['en_US-kitchen-low'], 'no staging folder is left behind');

    const meta = await readOnnxMetadata(path.join(result.dir, 'en_US-kitchen-low.onnx'));
    assert.equal(meta['comment'], 'piper');
    assert.equal(meta['model_type'], 'vits');
    assert.equal(meta['n_speakers'], '2');
    assert.equal(meta['sample_rate'], '22050');
    assert.equal(meta['voice'], 'en-us');
    assert.equal(meta['exported_by'], 'fixture', 'existing metadata is kept');
    // with no data folder given, the system's espeak-ng data is linked
    assert.equal(realpathSync(path.join(result.dir, 'espeak-ng-data')), realpathSync(ESPEAK_DATA!));

    const files = findPiperFiles(result.dir);
    assert.ok(files);
    const engine = new PiperEngine(result.voice, RUNTIME, quietLog);
    assert.deepEqual(engine.voices[0]!.speakers, ['alice', 'bob']);
    assert.deepEqual(engine.voices[0]!.languages, ['en_US']);
    const spoken = await speak(engine, { text: 'The import worked.', voice: 'en_US-kitchen-low', speaker: 'bob' });
    assert.ok(spoken.samples.length > 0);
    await engine.close();
  });

  test('tokens.txt lists every single-character symbol of the phoneme map with its id', () => {
    const map = { ...piperPhonemeIdMap(), 'ab': [200], '\n': [201] };
    const { text, skipped } = piperTokens({ ...piperVoiceJson(), phoneme_id_map: map } as unknown as Parameters<typeof piperTokens>[0]);
    const lines = text.trimEnd().split('\n');
    assert.deepEqual(skipped.sort(), ['\n', 'ab']);
    assert.equal(lines.length, Object.keys(map).length - 2);
    assert.ok(lines.includes('_ 0') && lines.includes('^ 1') && lines.includes('$ 2') && lines.includes('  3'));
  });

  test('an installed voice is replaced only when asked, and bad input leaves models_dir untouched', async (t) => {
    if (!need(t, ESPEAK_DATA !== null, 'espeak-ng data missing')) return;
    const source = tempDir('ha-voices');
    const onnx = writeRawPiperVoice(source);
    const modelsDir = tempDir('models');
    await importPiperVoice(onnx, modelsDir, { espeakDataDir: ESPEAK_DATA! });
    await assert.rejects(importPiperVoice(onnx, modelsDir), { code: 'SAT_ERR_MODEL_EXISTS' });
    const again = await importPiperVoice(onnx, modelsDir, { overwrite: true, name: 'en_US-raw-x_low' });
    assert.ok(existsSync(path.join(again.dir, 'tokens.txt')));

    const empty = tempDir('models-empty');
    writeFileSync(`${onnx}.json`, '{"not": "a piper voice"}');
    await assert.rejects(importPiperVoice(onnx, empty), { code: 'SAT_ERR_MODEL_INVALID' });
    writeFileSync(`${onnx}.json`, 'not json');
    await assert.rejects(importPiperVoice(onnx, empty), { code: 'SAT_ERR_MODEL_INVALID' });
    const notOnnx = path.join(source, 'text.onnx');
    writeFileSync(notOnnx, 'plain text');
    writeFileSync(`${notOnnx}.json`, JSON.stringify(piperVoiceJson()));
    await assert.rejects(importPiperVoice(notOnnx, empty), { code: 'SAT_ERR_MODEL_INVALID' });
    await assert.rejects(importPiperVoice(path.join(source, 'missing.onnx'), empty), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
    await assert.rejects(importPiperVoice(onnx, empty, { name: '../escape' }), { code: 'SAT_ERR_BAD_MODEL_NAME' });
    assert.deepEqual(readdirSync(empty), []);
    assert.match(readFileSync(path.join(again.dir, 'tokens.txt'), 'utf8'), /^_ 0$/m);
  });
});
