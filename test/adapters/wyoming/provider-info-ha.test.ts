/**
 * The provider endpoint's `info` as Home Assistant reads it: the real daemon on real TCP, read
 * through the reference `wyoming` library (test/peers/ha-info-view.py) the way HA's data.py,
 * wake_word.py and tts.py use it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestDaemon } from '../../helpers/daemon.js';
import { haInfoView, referencePython, referencePythonReason } from '../../helpers/python-peers.js';
import { hasCommand, need, sharedModel } from '../../helpers/system.js';
import { hasModel } from '../../engines/wake/wake-helpers.js';

const OWW = sharedModel('openwakeword');
const KWS = sharedModel('kws-zipformer-gigaspeech-3.3M-mobile');

/** A models folder with links to the shared wake models only. */
function modelsDir(t: { after: (fn: () => void) => void }, folders: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'provider-info-ha-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, target] of Object.entries(folders)) symlinkSync(target, path.join(dir, name));
  return dir;
}

test('an openWakeWord folder and a keyword spotter that both know "alexa": HA lists distinct wake word names and phrases, and every artifact has a version', async (t) => {
  if (!need(t, hasModel(OWW) && hasModel(KWS), 'shared wake models missing')) return;
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const python = referencePython();
  if (!need(t, python !== undefined, referencePythonReason())) return;
  const daemon = await startTestDaemon({ models_dir: modelsDir(t, { openwakeword: OWW, 'kws-en': KWS }) });
  t.after(() => daemon.stop());

  const ha = await haInfoView(python!, daemon.providerPort);
  assert.equal(ha.name, 'speech-satellite-stt', 'the entry is titled after the first program, whatever the machine is called');
  const byId = Object.fromEntries(ha.wake_words.map((w) => [w.id, w]));
  assert.deepEqual(byId['alexa'], { id: 'alexa', name: 'Alexa', phrase: 'Alexa' });
  assert.deepEqual(byId['alexa_kws'], { id: 'alexa_kws', name: 'Alexa (keyword spotter)', phrase: 'Alexa (keyword spotter)' });
  assert.deepEqual(byId['hey_jarvis_kws'], { id: 'hey_jarvis_kws', name: 'Hey Jarvis (keyword spotter)', phrase: 'Hey Jarvis (keyword spotter)' });
  for (const field of ['name', 'phrase'] as const) {
    const shown = ha.wake_words.map((w) => String(w[field]).toLowerCase());
    assert.equal(new Set(shown).size, shown.length, `HA's wake word ${field}s are distinct: ${shown.join(', ')}`);
  }

  assert.deepEqual(ha.unversioned, [], 'every program, model and voice has a version string');
  const info = daemon.context.speech.wakeModels();
  assert.equal(info.find((m) => m.name === 'alexa')?.version, '0.1', 'an openWakeWord head states its version in its file name');
});

test('HA’s TTS default language is the configured espeak-ng language: only that voice is offered unless asked for more', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const python = referencePython();
  if (!need(t, python !== undefined, referencePythonReason())) return;
  const empty = modelsDir(t, {});

  const byDefault = await startTestDaemon({ models_dir: empty, wake: { discover: false } });
  t.after(() => byDefault.stop());
  const plain = await haInfoView(python!, byDefault.providerPort);
  assert.deepEqual(plain.tts, { languages: ['en_US'], voices: ['espeak-ng-en-us'] }, 'one language, so HA’s set has one first element');

  const german = await startTestDaemon({ models_dir: empty, wake: { discover: false }, tts: { espeak: { preferred: 'de' }, default_voice: 'espeak-ng-fr-fr' } });
  t.after(() => german.stop());
  const de = await haInfoView(python!, german.providerPort);
  assert.deepEqual(de.tts.voices, ['espeak-ng-de', 'espeak-ng-fr-fr'], 'the preferred voice first, and the configured default voice offered too');

  const every = await startTestDaemon({ models_dir: empty, wake: { discover: false }, tts: { espeak: { offer: 'all' } } });
  t.after(() => every.stop());
  const all = await haInfoView(python!, every.providerPort);
  assert.ok(all.tts.languages.length > 20, `offer: all lists every language (${all.tts.languages.length})`);
  assert.equal(all.tts.voices[0], 'espeak-ng-en-us', 'the preferred voice is still listed first');
});
