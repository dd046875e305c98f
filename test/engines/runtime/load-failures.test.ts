import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenWakeWordEngine } from '../../../src/engines/wake/openwakeword/openwakeword.js';
import { EMBEDDING_FILE, MELSPECTROGRAM_FILE, findOpenWakeWordFolder } from '../../../src/engines/wake/openwakeword/openwakeword-files.js';
import { KwsEngine } from '../../../src/engines/wake/sherpa-kws/sherpa-kws.js';
import { findKwsFolder } from '../../../src/engines/wake/sherpa-kws/kws-files.js';
import { keywordLines } from '../../../src/engines/wake/sherpa-kws/kws-keywords.js';
import { createLogger } from '../../../src/util/logger.js';
import { need } from '../../helpers/system.js';
import { KWS_EN_DIR, OWW_DIR, TEST_RUNTIME, detectAll, hasModel, paddedClip } from '../wake/wake-helpers.js';

const ALEXA = 'alexa_v0.1.onnx';
/** Not a model: what a broken download or a full disk leaves behind. */
const GARBAGE = Buffer.from('this is not an onnx model '.repeat(200));

type After = { after: (fn: () => unknown) => void };

/** A folder with links to the shared openWakeWord files, and `broken` files holding garbage. */
function owwFolder(t: After, broken: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oww-broken-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of [MELSPECTROGRAM_FILE, EMBEDDING_FILE, ALEXA, 'hey_jarvis_v0.1.onnx', 'hey_mycroft_v0.1.onnx']) {
    if (broken.includes(file)) writeFileSync(path.join(dir, file), GARBAGE);
    else symlinkSync(path.join(OWW_DIR, file), path.join(dir, file));
  }
  return dir;
}

/** Puts the real file back in place of a broken one (new size and mtime). */
function repair(dir: string, file: string, from = OWW_DIR): void {
  rmSync(path.join(dir, file));
  writeFileSync(path.join(dir, file), readFileSync(path.join(from, file)));
}

/** A logger whose JSON lines are kept, and the warnings among them. */
function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', format: 'json', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const warnings = (mention: string) => lines.filter((l) => (l['level'] === 'warn' || l['level'] === 40) && JSON.stringify(l).includes(mention));
  return { log, lines, warnings };
}

function owwEngine(dir: string, log?: ReturnType<typeof captureLog>['log']): OpenWakeWordEngine {
  const folder = findOpenWakeWordFolder(dir);
  assert.ok(folder, `${dir} is an openWakeWord folder`);
  return new OpenWakeWordEngine({ id: 'oww', ...folder, runtime: TEST_RUNTIME, ...(log ? { log } : {}) });
}

test('a corrupt openWakeWord head is a coded error naming its file, is not loaded again, and the other words keep working', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const dir = owwFolder(t, [ALEXA]);
  const capture = captureLog();
  const oww = owwEngine(dir, capture.log);
  t.after(() => oww.close());
  assert.deepEqual(
    oww.models.map((m) => m.name),
    ['alexa', 'hey_jarvis', 'hey_mycroft'],
    'the installed head is still listed',
  );

  assert.deepEqual(
    (await detectAll(oww, ['hey_mycroft'], paddedClip('oww-hey-mycroft.wav'))).map((d) => d.name),
    ['hey_mycroft'],
  );
  const refused = { code: 'SAT_ERR_MODEL_LOAD', message: new RegExp(`wake word alexa cannot be loaded from .*${ALEXA.replace('.', '\\.')}`) };
  await assert.rejects(oww.createSession({ names: ['alexa'], onDetection: () => undefined }), refused);
  const attempts = oww.loadAttempts;
  for (let i = 0; i < 20; i++) await assert.rejects(oww.createSession({ names: ['alexa'], onDetection: () => undefined }), refused);
  assert.equal(oww.loadAttempts, attempts, 'the failed head is remembered, not loaded again');
  assert.equal(capture.warnings(ALEXA).length, 0, 'an error handed to the caller is reported by the caller');

  // asking for a good word too: the session listens for it, and the bad head is logged once
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(
      (await detectAll(oww, ['alexa', 'hey_jarvis', 'hey_mycroft'], paddedClip('oww-hey-mycroft.wav'))).map((d) => d.name),
      ['hey_mycroft'],
    );
  }
  const warned = capture.warnings(ALEXA);
  assert.equal(warned.length, 1, 'one warning for the bad head');
  assert.equal(warned[0]!['code'], 'SAT_ERR_MODEL_LOAD');
  assert.equal(warned[0]!['file'], path.join(dir, ALEXA));
  assert.equal(oww.loadAttempts, attempts + 1, 'hey_jarvis was loaded once; alexa was not tried again');
  assert.equal(oww.sessionCount, 0);
});

test('a replaced head file is loaded on its next use', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const dir = owwFolder(t, [ALEXA]);
  const oww = owwEngine(dir);
  t.after(() => oww.close());
  await assert.rejects(oww.createSession({ names: ['alexa'], onDetection: () => undefined }), { code: 'SAT_ERR_MODEL_LOAD' });
  const attempts = oww.loadAttempts;

  repair(dir, ALEXA);
  assert.deepEqual(
    (await detectAll(oww, ['alexa'], paddedClip('oww-alexa.wav'))).map((d) => d.name),
    ['alexa'],
  );
  assert.equal(oww.loadAttempts, attempts + 1, 'the changed file was tried once more, and loaded');
  await detectAll(oww, ['alexa'], paddedClip('oww-alexa.wav'));
  assert.equal(oww.loadAttempts, attempts + 1, 'a loaded head is kept');
});

test('preload leaves a corrupt head out with one warning and loads the others', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const dir = owwFolder(t, [ALEXA]);
  const capture = captureLog();
  const oww = owwEngine(dir, capture.log);
  t.after(() => oww.close());
  await oww.load();
  assert.equal(oww.loaded, true);
  assert.equal(oww.loadAttempts, 4, 'front end and three heads');
  assert.equal(capture.warnings(ALEXA).length, 1);
  await assert.rejects(oww.createSession({ names: ['alexa'], onDetection: () => undefined }), { code: 'SAT_ERR_MODEL_LOAD' });
  assert.deepEqual(
    (await detectAll(oww, ['hey_mycroft'], paddedClip('oww-hey-mycroft.wav'))).map((d) => d.name),
    ['hey_mycroft'],
  );
  assert.equal(oww.loadAttempts, 4, 'nothing was loaded again');
  assert.equal(capture.warnings(ALEXA).length, 1);
});

test('a corrupt front end fails every word with a coded error, without loading again until its file changes', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const dir = owwFolder(t, [EMBEDDING_FILE]);
  const oww = owwEngine(dir);
  t.after(() => oww.close());
  for (const names of [['hey_mycroft'], ['alexa', 'hey_jarvis'], []]) {
    await assert.rejects(oww.createSession({ names, onDetection: () => undefined }), { code: 'SAT_ERR_MODEL_LOAD', message: new RegExp(EMBEDDING_FILE) });
  }
  await assert.rejects(oww.load(), { code: 'SAT_ERR_MODEL_LOAD' });
  assert.equal(oww.loadAttempts, 1, 'one attempt, remembered');

  repair(dir, EMBEDDING_FILE);
  assert.deepEqual(
    (await detectAll(oww, ['hey_mycroft'], paddedClip('oww-hey-mycroft.wav'))).map((d) => d.name),
    ['hey_mycroft'],
  );
  assert.equal(oww.loadAttempts, 3, 'the front end and the asked-for head');
});

test('a corrupt keyword-spotter model is a coded error naming its file, not a crash, and is not loaded again', async (t) => {
  if (!need(t, hasModel(KWS_EN_DIR), `keyword spotter missing at ${KWS_EN_DIR}`)) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kws-broken-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of readdirSync(KWS_EN_DIR)) symlinkSync(path.join(KWS_EN_DIR, file), path.join(dir, file));
  const folder = findKwsFolder(dir)!;
  const encoder = path.basename(folder.encoder);
  rmSync(folder.encoder);
  writeFileSync(folder.encoder, GARBAGE);
  const kws = new KwsEngine({ id: 'kws', ...folder, keywords: keywordLines(readFileSync(folder.keywords!, 'utf8')), languages: ['en'], runtime: TEST_RUNTIME });
  t.after(() => kws.close());

  for (let i = 0; i < 5; i++) {
    await assert.rejects(kws.createSession({ names: ['alexa'], onDetection: () => undefined }), { code: 'SAT_ERR_MODEL_LOAD', message: new RegExp(encoder.replace(/\./g, '\\.')) });
  }
  assert.equal(kws.loadAttempts, 1);

  repair(dir, encoder, KWS_EN_DIR);
  assert.deepEqual(
    (await detectAll(kws, ['alexa'], paddedClip('oww-alexa.wav'))).map((d) => d.name),
    ['alexa'],
  );
  assert.equal(kws.loadAttempts, 2);
});
