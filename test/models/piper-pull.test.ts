import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { findPiperFiles } from '../../src/engines/tts/piper/piper-engine.js';
import { readOnnxMetadata } from '../../src/engines/runtime/onnx-file.js';
import { loadCatalogue } from '../../src/models/catalogue.js';
import { sha256File } from '../../src/models/hash.js';
import { readLock } from '../../src/models/lock-file.js';
import { ModelManager } from '../../src/models/manager.js';
import { modelConverters } from '../../src/wiring/models.js';
import { systemEspeakDataDir, writeRawPiperVoice } from '../../scripts/fixtures/tts-fixtures.js';
import { need } from '../helpers/system.js';
import { captureLogger, removeDir, tempDir, writeCatalogue } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

const REVISION = 'fedcba9876543210fedcba9876543210fedcba98';
const VOICE = 'en_US-raw-x_low';

test('a pinned Piper voice is downloaded, converted for sherpa-onnx and locked with both the downloaded and the converted hashes', async (t) => {
  const espeak = systemEspeakDataDir();
  if (!need(t, espeak !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
  const dir = tempDir('piper-pull');
  const server = await new MirrorServer().start();
  try {
    // a structural Piper export (not real weights) stands in for rhasspy/piper-voices
    const onnx = writeRawPiperVoice(path.join(dir, 'upstream'), { name: VOICE });
    const url = (f: string) => `https://huggingface.co/rhasspy/piper-voices/resolve/${REVISION}/en/en_US/raw/x_low/${f}`;
    const downloads = [];
    for (const file of [onnx, `${onnx}.json`]) {
      server.route(url(path.basename(file)), { file });
      downloads.push({ url: url(path.basename(file)), path: path.basename(file), pins: [await sha256File(file)], pin_source: 'hf-lfs' });
    }
    const catalogue = loadCatalogue([
      writeCatalogue(dir, [{ id: `piper-${VOICE}`, kind: 'tts', backend: 'piper', licence: 'MIT', convert: 'piper', downloads }]),
    ]);
    const modelsDir = path.join(dir, 'models');
    const manager = new ModelManager({ modelsDir, catalogue, mirrors: server.mirrors(), log: captureLogger().log, env: {}, converters: modelConverters() });
    const [report] = await manager.pull(manager.plan([`piper-${VOICE}`]));
    assert.equal(report?.outcome, 'installed', report?.error?.message);

    const folder = path.join(modelsDir, `piper-${VOICE}`);
    assert.deepEqual(readdirSync(folder).sort(), ['en_US-raw-x_low.onnx', 'en_US-raw-x_low.onnx.json', 'espeak-ng-data', 'tokens.txt']);
    assert.ok(lstatSync(path.join(folder, 'espeak-ng-data')).isSymbolicLink());
    assert.equal(realpathSync(path.join(folder, 'espeak-ng-data')), realpathSync(espeak!));
    const meta = await readOnnxMetadata(path.join(folder, `${VOICE}.onnx`));
    assert.equal(meta['comment'], 'piper');
    assert.ok(findPiperFiles(folder), 'the TTS discovery recognises the installed folder');

    const record = (await readLock(modelsDir)).models[`piper-${VOICE}`]!;
    const downloaded = record.downloads.find((d) => d.source.endsWith('.onnx'))!;
    assert.equal(downloaded.sha256, (await sha256File(onnx)).sha256);
    assert.notEqual(record.files[`${VOICE}.onnx`]?.sha256, downloaded.sha256, 'the converted model is locked under its own hash');
    assert.ok(record.files['tokens.txt']);
    assert.deepEqual(await manager.verify(), [{ id: `piper-${VOICE}`, problems: [] }]);
  } finally {
    await server.close();
    removeDir(dir);
  }
});
