import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { scanModelFolders } from '../../src/engines/registry.js';
import { backboneFor, findOpenWakeWordFolder, groupByBackbone } from '../../src/engines/wake/openwakeword/openwakeword-files.js';
import { findKwsFolder } from '../../src/engines/wake/sherpa-kws/kws-files.js';
import { phraseFromName, wakeWordName } from '../../src/engines/wake/wake-names.js';
import { need, sharedModel } from '../helpers/system.js';
import { KWS_EN_DIR, OWW_DIR, hasModel } from './wake/wake-helpers.js';

test('head file names become stable model names and phrases', () => {
  assert.equal(wakeWordName('/m/hey_jarvis_v0.1.onnx'), 'hey_jarvis');
  assert.equal(wakeWordName('Alexa.onnx'), 'alexa');
  assert.equal(wakeWordName('ok_computer_v2.onnx'), 'ok_computer');
  assert.equal(phraseFromName('hey_rhasspy'), 'Hey Rhasspy');
});

/** A models folder holding links to the shared models, plus things that are not wake models. */
function modelsDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'engine-discovery-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(OWW_DIR, path.join(dir, 'openwakeword'));
  symlinkSync(KWS_EN_DIR, path.join(dir, 'kws-en'));
  const asr = path.join(dir, 'streaming-asr');
  mkdirSync(asr);
  for (const f of ['encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx', 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'tokens.txt']) {
    symlinkSync(path.join(KWS_EN_DIR, f), path.join(asr, f));
  }
  mkdirSync(path.join(dir, 'empty'));
  symlinkSync(sharedModel('silero-vad'), path.join(dir, 'vad-under-another-name'));
  return dir;
}

test('one pass over the folders finds each kind, a spotter folder is also a recogniser, and no recogniser is taken for a voice', async (t) => {
  if (!need(t, hasModel(OWW_DIR) && hasModel(KWS_EN_DIR), 'shared wake models missing')) return;
  const dir = modelsDir(t);
  // espeak-ng data present, as on a machine with espeak-ng installed: a Piper detector would accept any .onnx + tokens.txt.
  const espeakData = path.join(dir, '.espeak-data');
  mkdirSync(espeakData);
  const found = await scanModelFolders(dir, espeakData);
  const summary = Object.fromEntries(found.map((f) => [f.name, { asr: f.asr?.family, wake: f.wake?.family, vad: Boolean(f.vad), tts: f.tts?.family }]));
  assert.deepEqual(summary, {
    empty: { asr: undefined, wake: undefined, vad: false, tts: undefined },
    'kws-en': { asr: 'streaming-transducer', wake: 'kws', vad: false, tts: undefined },
    openwakeword: { asr: undefined, wake: 'openwakeword', vad: false, tts: undefined },
    'streaming-asr': { asr: 'streaming-transducer', wake: undefined, vad: false, tts: undefined },
    'vad-under-another-name': { asr: undefined, wake: undefined, vad: true, tts: undefined },
  });
  const oww = found.find((f) => f.name === 'openwakeword')!.wake!;
  assert.equal(oww.family, 'openwakeword');
  if (oww.family === 'openwakeword') assert.deepEqual(oww.folder.heads.map((h) => h.name), ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy']);
  const kws = found.find((f) => f.name === 'kws-en')!.wake!;
  if (kws.family === 'kws') {
    assert.ok(kws.folder.bpeModel?.endsWith('bpe.model'));
    assert.ok(kws.folder.encoder.endsWith('.int8.onnx'));
  }
  assert.ok(findKwsFolder(path.join(dir, 'streaming-asr'), false), 'named explicitly, a transducer without keywords.txt can still be a spotter');
  assert.deepEqual(await scanModelFolders(path.join(dir, 'missing'), null), []);
});

test('a folder with only an .onnx and tokens.txt that no recogniser family knows is still offered to the voices', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'engine-discovery-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const voice = path.join(dir, 'some-voice');
  mkdirSync(voice);
  writeFileSync(path.join(voice, 'voice.onnx'), 'x');
  writeFileSync(path.join(voice, 'tokens.txt'), 'a 0\n');
  const [found] = await scanModelFolders(dir, dir);
  assert.equal(found?.tts?.family, 'piper');
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
    { id: 'solo', ...backbone, heads: [{ name: 'my_alexa', phrase: 'My Alexa', file: head, languages: ['en'] }] },
    { id: 'openwakeword', ...folder, heads: folder.heads.map((h) => ({ ...h, languages: ['en'] })) },
  ]);
  assert.equal(merged.length, 1, 'heads with the same front end run as one engine');
  assert.deepEqual(
    merged[0]!.heads.map((h) => h.name),
    ['my_alexa', 'alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'],
  );
});
