/** The satellite's small parts: info, the built-in sounds, the state file, wake-word choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeviceHealth, satelliteInfo } from '../../../src/adapters/satellite/satellite-info.js';
import { PreRollBuffer, WakeListener } from '../../../src/adapters/satellite/satellite-listeners.js';
import { SpeechService } from '../../../src/core/speech/speech-service.js';
import type { EngineSpec } from '../../../src/core/speech/engine-kinds.js';
import { parseConfig } from '../../../src/config/load.js';
import { speechSettings } from '../../../src/wiring/speech.js';
import { SOUND_FORMAT, synthesizeSound } from '../../../src/adapters/satellite/satellite-sound-synth.js';
import { builtinSoundFile, loadSounds } from '../../../src/adapters/satellite/satellite-sounds.js';
import { SatelliteStateFile } from '../../../src/adapters/satellite/satellite-state-file.js';
import { parseWav } from '../../../src/audio/wav.js';
import type { WakeModelInfo } from '../../../src/engines/wake/wake.js';
import { infoSchema } from '../../../src/wyoming/info-schema.js';
import { createLogger } from '../../../src/util/logger.js';
import { SatelliteError } from '../../../src/util/errors.js';
import { FakeWakeEngine } from '../../core/speech/wake-fakes.js';

const log = createLogger({ level: 'silent' });
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'satellite-parts-'));
const model = (name: string, backend = 'openwakeword'): WakeModelInfo => ({
  name,
  phrase: name.replace('_', ' '),
  backend,
  description: name,
  languages: ['en'],
  version: null,
  attribution: { name: 'x', url: 'https://example.invalid' },
});

test('the satellite info has the satellite section, local wake models with phrases, mic and speaker', () => {
  const info = satelliteInfo({
    name: 'Kitchen',
    area: 'Kitchen',
    description: 'd',
    version: '1.2.3',
    hasVad: false,
    wakeModels: [model('alexa'), model('hey_jarvis'), model('computer', 'sherpa-kws')],
    activeWakeWords: ['alexa'],
    mic: { format: { rate: 16000, width: 2, channels: 1 }, problem: null },
    speaker: { format: { rate: 22050, width: 2, channels: 1 }, problem: null },
  });
  assert.ok(infoSchema.safeParse(info).success, 'HA’s parser accepts it');
  assert.equal(info.satellite?.name, 'Kitchen');
  assert.equal(info.satellite?.installed, true);
  assert.deepEqual(info.satellite?.active_wake_words, ['alexa']);
  assert.deepEqual(
    info.wake?.map((p) => [p.name, p.models.map((m) => m.name)]),
    [
      ['openwakeword', ['alexa', 'hey_jarvis']],
      ['sherpa-kws', ['computer']],
    ],
  );
  assert.equal(info.wake?.[0]?.models[1]?.phrase, 'hey jarvis');
  assert.deepEqual(info.asr, []);
  assert.equal(info.snd?.[0]?.snd_format.rate, 22050);
  assert.deepEqual([info.mic?.[0]?.installed, info.snd?.[0]?.installed], [true, true]);
  const noSpeaker = satelliteInfo({ name: 'x', area: null, description: '', version: '1', hasVad: true, wakeModels: [], activeWakeWords: [], mic: { format: { rate: 16000, width: 2, channels: 1 }, problem: null }, speaker: null });
  assert.deepEqual(noSpeaker.snd, []);
  assert.equal(noSpeaker.satellite?.has_vad, true);
});

test('a device that failed is listed as not installed, with the reason, until it runs again; the satellite stays installed', () => {
  const mic = new DeviceHealth();
  const speaker = new DeviceHealth();
  const info = () =>
    satelliteInfo({
      name: 'Kitchen',
      area: null,
      description: 'd',
      version: '1.2.3',
      hasVad: false,
      wakeModels: [],
      activeWakeWords: [],
      mic: { format: { rate: 16000, width: 2, channels: 1 }, problem: mic.problem },
      speaker: { format: { rate: 22050, width: 2, channels: 1 }, problem: speaker.problem },
    });
  const devices = () => [...(info().mic ?? []), ...(info().snd ?? [])].map((d) => [d.name, d.installed, d.description]);
  mic.update({ state: 'opening' });
  assert.deepEqual(devices(), [['microphone', true, 'satellite microphone'], ['speaker', true, 'satellite speaker']], 'not failed yet: usable');
  mic.update({ state: 'failed', error: 'arecord: audio open error: No such file or directory', retryInMs: 1000 });
  mic.update({ state: 'opening' }); // a reopening attempt does not make it present
  speaker.update({ state: 'failed', error: 'aplay: device busy', retryInMs: 1000 });
  assert.deepEqual(devices(), [
    ['microphone', false, 'satellite microphone: unavailable (arecord: audio open error: No such file or directory)'],
    ['speaker', false, 'satellite speaker: unavailable (aplay: device busy)'],
  ]);
  assert.equal(info().satellite?.installed, true, 'HA keeps the satellite (data.py looks only at satellite.installed)');
  assert.ok(infoSchema.safeParse(info()).success);
  mic.update({ state: 'running' });
  speaker.update({ state: 'running' });
  assert.deepEqual(devices().map(([, installed]) => installed), [true, true]);
});

test('the built-in sounds are generated, written once to the state folder and read back', () => {
  const dir = tmp();
  const file = builtinSoundFile('awake', dir);
  const wav = parseWav(readFileSync(file));
  assert.deepEqual(wav.format, SOUND_FORMAT);
  assert.deepEqual(wav.pcm, synthesizeSound('awake'));
  assert.notDeepEqual(synthesizeSound('awake'), synthesizeSound('done'), 'awake and done differ');
  assert.ok(synthesizeSound('timer').length > synthesizeSound('awake').length);
  const sounds = loadSounds({ awake: 'builtin', done: 'none', timer_finished: file }, dir);
  assert.equal(sounds.done, null);
  assert.deepEqual(sounds.timer?.pcm, wav.pcm);
});

test('a sound file that is not a WAV is a coded error naming the file', () => {
  const dir = tmp();
  const bad = path.join(dir, 'bad.wav');
  writeFileSync(bad, 'not a wav');
  assert.throws(() => loadSounds({ awake: bad, done: 'none', timer_finished: 'none' }, dir), (err: Error & { code?: string }) => err.code === 'SAT_ERR_SOUND' && err.message.includes(bad));
});

test('the state file keeps mute, volume and wake words, and ignores what it cannot read', () => {
  const dir = tmp();
  const file = new SatelliteStateFile(dir, log);
  assert.deepEqual(file.load(), {});
  file.save({ muted: true, volume: 35, wake_words: ['hey_jarvis'] });
  assert.deepEqual(new SatelliteStateFile(dir, log).load(), { muted: true, volume: 35, wake_words: ['hey_jarvis'] });
  writeFileSync(file.file, '{"volume": 900}');
  assert.deepEqual(file.load(), {});
  writeFileSync(file.file, 'garbage');
  assert.deepEqual(file.load(), {});
});

/** A speech service whose only models are these wake engines (in this order). */
async function wakeSpeech(engines: Array<[string, FakeWakeEngine]>, defaultWake: string | null = null): Promise<SpeechService> {
  const speech = new SpeechService({
    discover: async () => engines.map(([id, engine]): EngineSpec => ({ kind: 'wake', id, key: id, preload: false, build: () => engine })),
    settings: { ...speechSettings(parseConfig({}, {})), wake: { defaultModel: defaultWake } },
    log,
  });
  await speech.start();
  return speech;
}

test('wake words: the requested installed ones, else the default model, else the first installed', async () => {
  const engine = new FakeWakeEngine({ alexa: 0.25, hey_jarvis: 0.5 });
  const speech = await wakeSpeech([['oww', engine]], 'hey_jarvis');
  const listener = new WakeListener(speech, () => undefined, log);
  await listener.listen(['hey_jarvis', 'nope']);
  assert.deepEqual(listener.words, ['hey_jarvis']);
  await listener.listen([]);
  assert.deepEqual(listener.words, ['hey_jarvis'], 'none asked for: the default');
  await listener.listen(['nope']);
  assert.deepEqual(listener.words, ['hey_jarvis'], 'none installed: the default');
  const noDefault = await wakeSpeech([['oww', engine]], 'missing');
  const second = new WakeListener(noDefault, () => undefined, log);
  await second.listen(['nope']);
  assert.deepEqual(second.words, ['alexa'], 'no default installed either: the first installed');
  await assert.rejects(new WakeListener(await wakeSpeech([]), () => undefined, log).listen([]), { code: 'SAT_ERR_WAKE_MODEL_NOT_FOUND' });
  listener.close();
  second.close();
});

test('the wake listener keeps the words of engines that load when another engine cannot load its model', async () => {
  const good = new FakeWakeEngine({ hey_jarvis: 0.5 });
  const bad = new FakeWakeEngine({ alexa: 0.25 });
  bad.failWith = new SatelliteError('SAT_ERR_MODEL_LOAD', 'cannot load /models/alexa_v0.1.onnx');
  const lines: string[] = [];
  const captured = createLogger({ level: 'info', format: 'json', destination: { write: (line: string) => void lines.push(line) } });
  const heard: string[] = [];
  const listener = new WakeListener(
    await wakeSpeech([
      ['bad', bad],
      ['good', good],
    ]),
    (name) => heard.push(name),
    captured,
  );
  await listener.listen(['alexa', 'hey_jarvis']);
  const samples = new Float32Array(1_600);
  samples[100] = 0.5;
  listener.feed(samples);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(heard, ['hey_jarvis']);
  assert.equal(lines.filter((l) => l.includes('alexa_v0.1.onnx')).length, 1, 'the failed engine is logged once');

  await assert.rejects(listener.listen(['alexa']), { code: 'SAT_ERR_MODEL_LOAD' }, 'with no engine left, the caller gets the error');
  assert.equal(good.sessionCount, 1, 'the words it had keep listening');
  listener.close();
  assert.equal(good.sessionCount, 0, 'no session is left open');
});

test('the pre-roll buffer keeps only the most recent audio', () => {
  const preRoll = new PreRollBuffer(4);
  for (const n of [1, 2, 3]) preRoll.push(Buffer.from([n, n]));
  assert.deepEqual(Buffer.concat(preRoll.drain()), Buffer.from([2, 2, 3, 3]));
  assert.deepEqual(preRoll.drain(), []);
});
