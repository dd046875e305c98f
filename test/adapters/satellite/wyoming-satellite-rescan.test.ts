/**
 * The satellite while the installed wake models change under it (the watcher on models_dir sees
 * every change; nobody tells the daemon): a wake word added beside its own, then removed, then its
 * own head file replaced. Each change rebuilds the engine; the satellite keeps hearing its word
 * with no reconnect by Home Assistant, and what it offers in `info` follows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readClip } from '../../helpers/clips.js';
import { need, sharedModel } from '../../helpers/system.js';
import { silence } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig, satelliteSuite, sayIntoMic, until } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

const OWW = sharedModel('openwakeword');
const RESCAN_MS = 20_000;

function mycroft(): Buffer {
  return Buffer.concat([readClip('oww-hey-mycroft.wav').pcm, silence(1)]);
}

const suite = satelliteSuite(silence(1));

test('a rescan that adds, removes or replaces wake models leaves the satellite hearing its word, with no reconnect', async (t) => {
  if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'satellite-rescan-'));
  t.after(() => rmSync(modelsDir, { recursive: true, force: true }));
  const folder = path.join(modelsDir, 'openwakeword');
  mkdirSync(folder);
  for (const f of ['melspectrogram.onnx', 'embedding_model.onnx', 'hey_mycroft_v0.1.onnx']) symlinkSync(path.join(OWW, f), path.join(folder, f));
  const base = satelliteConfig(suite.devices, { satellite: { wake_words: ['hey_mycroft'] } });
  const daemon = await suite.start({ ...base, models_dir: modelsDir, wake: { discover: true } });
  const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
  const offered = async (): Promise<string[]> => {
    const from = ha.frames.length;
    ha.send('describe', {});
    const info = (await ha.waitForType('info', 5_000, from)).frame.data;
    return ((info['wake'] as Array<{ models: Array<{ name: string }> }>)[0]?.models ?? []).map((m) => m.name);
  };
  /** Says the word, waits for HA to get the detection, and ends the pipeline the way HA does on an error. */
  const heard = async (): Promise<string> => {
    const from = ha.frames.length;
    sayIntoMic(suite.devices, mycroft());
    const detection = await ha.waitForType('detection', 15_000, from);
    ha.send('error', { text: 'end of this test turn', code: 'test' });
    await until('the satellite listens again', () => daemon.satellite!.state === 'idle', 10_000);
    return String(detection.frame.data['name']);
  };
  const rebuilt = async (what: string, check: (words: string[]) => boolean) => {
    await until(what, () => check(daemon.context.speech.wakeModels().map((m) => m.name)), RESCAN_MS);
  };

  assert.equal(await heard(), 'hey_mycroft');
  assert.deepEqual(await offered(), ['hey_mycroft']);

  symlinkSync(path.join(OWW, 'alexa_v0.1.onnx'), path.join(folder, 'alexa_v0.1.onnx'));
  await rebuilt('alexa is installed', (w) => w.includes('alexa'));
  assert.deepEqual((await offered()).sort(), ['alexa', 'hey_mycroft'], 'info offers the new word');
  assert.equal(await heard(), 'hey_mycroft', 'still hearing its word after a word was added');

  rmSync(path.join(folder, 'alexa_v0.1.onnx'));
  await rebuilt('alexa is gone', (w) => !w.includes('alexa'));
  assert.equal(await heard(), 'hey_mycroft', 'still hearing its word after a word was removed');

  rmSync(path.join(folder, 'hey_mycroft_v0.1.onnx'));
  copyFileSync(path.join(OWW, 'hey_mycroft_v0.1.onnx'), path.join(folder, 'hey_mycroft_v0.1.onnx'));
  await until('the replaced head is loaded into a new engine', () => daemon.logs.filter((l) => l.includes('wake models changed')).length >= 4, RESCAN_MS);
  assert.equal(await heard(), 'hey_mycroft', 'still hearing its word after its own file was replaced');
  assert.equal(daemon.satellite!.activeWakeWord, 'hey_mycroft');
  assert.equal(ha.closed, false, 'Home Assistant never had to reconnect');
});
