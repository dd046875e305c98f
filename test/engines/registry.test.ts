import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverKws, discoverOpenWakeWord, groupByBackbone } from '../../../src/engines/wake/discovery.js';
import { backboneFor, findOpenWakeWordFolder, phraseFromName, wakeWordName } from '../../../src/engines/wake/openwakeword/openwakeword-files.js';
import { findKwsFolder } from '../../../src/engines/wake/sherpa-kws/kws-files.js';
import { need } from '../../helpers/system.js';
import { KWS_EN_DIR, OWW_DIR, hasModel } from './wake-helpers.js';

test('head file names become stable model names and phrases', () => {
  assert.equal(wakeWordName('/m/hey_jarvis_v0.1.onnx'), 'hey_jarvis');
  assert.equal(wakeWordName('Alexa.onnx'), 'alexa');
  assert.equal(wakeWordName('ok_computer_v2.onnx'), 'ok_computer');
  assert.equal(phraseFromName('hey_rhasspy'), 'Hey Rhasspy');
});

/** A models folder holding links to the shared models, plus things that are not wake models. */
function modelsDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wake-discovery-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(OWW_DIR, path.join(dir, 'openwakeword'));
  symlinkSync(KWS_EN_DIR, path.join(dir, 'kws-en'));
  const asr = path.join(dir, 'streaming-asr');
  mkdirSync(asr);
  for (const f of ['encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx', 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'tokens.txt']) {
    symlinkSync(path.join(KWS_EN_DIR, f), path.join(asr, f));
  }
  mkdirSync(path.join(dir, 'empty'));
  return dir;
}

test('discovery finds the openWakeWord folder and the keyword spotter, and skips other folders', (t) => {
  if (!need(t, hasModel(OWW_DIR) && hasModel(KWS_EN_DIR), 'shared wake models missing')) return;
  const dir = modelsDir(t);
  const oww = discoverOpenWakeWord(dir);
  assert.deepEqual(
    oww.map((s) => [s.id, s.heads.map((h) => h.name)]),
    [['openwakeword', ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy']]],
  );
  const kws = discoverKws(dir);
  assert.deepEqual(
    kws.map((s) => s.id),
    ['kws-en'],
    'a transducer without keywords.txt is a speech-to-text model, not a spotter',
  );
  assert.ok(kws[0]!.folder.bpeModel?.endsWith('bpe.model'));
  assert.ok(kws[0]!.folder.encoder.endsWith('.int8.onnx'));
  assert.ok(findKwsFolder(path.join(dir, 'streaming-asr'), false), 'named explicitly, it can still be a spotter');
  assert.deepEqual(discoverOpenWakeWord(path.join(dir, 'missing')), []);
});

test('a head stored on its own finds the front end beside it or in a given folder, and shares it', (t) => {
  if (!need(t, hasModel(OWW_DIR), 'shared openWakeWord models missing')) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wake-head-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const head = path.join(dir, 'alexa_v0.1.onnx');
  symlinkSync(path.join(OWW_DIR, 'alexa_v0.1.onnx'), head);
  assert.equal(backboneFor(head), undefined);
  assert.equal(findOpenWakeWordFolder(dir), undefined, 'a folder without the front end is no openWakeWord folder');
  const backbone = backboneFor(head, OWW_DIR);
  assert.ok(backbone);
  const folder = findOpenWakeWordFolder(OWW_DIR)!;
  const merged = groupByBackbone([
    { kind: 'openwakeword', id: 'solo', ...backbone, heads: [{ name: 'my_alexa', phrase: 'My Alexa', file: head, languages: ['en'] }] },
    { kind: 'openwakeword', id: 'openwakeword', ...folder, heads: folder.heads.map((h) => ({ ...h, languages: ['en'] })) },
  ]);
  assert.equal(merged.length, 1, 'heads with the same front end run as one engine');
  assert.deepEqual(
    merged[0]!.heads.map((h) => h.name),
    ['my_alexa', 'alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'],
  );
});
