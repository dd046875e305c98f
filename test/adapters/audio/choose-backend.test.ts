/**
 * Which audio backend a device gets, and the reason the other one is not used: decided by one
 * rule, said once per device when the satellite starts (a naudiodon that npm silently left out is
 * otherwise invisible).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlsaBackend } from '../../../src/adapters/audio/alsa-backend.js';
import { chooseBackend, decideBackend } from '../../../src/adapters/audio/choose-backend.js';
import { explainPortAudioFailure } from '../../../src/adapters/audio/portaudio-backend.js';
import { createLogger } from '../../../src/util/logger.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need } from '../../helpers/system.js';
import { haveSatelliteParts, satelliteConfig } from '../satellite/wyoming-satellite-fixtures.js';
import { makeFileDevices, silence } from './alsa-file-devices.js';

type Line = { level: string; msg: string; backend?: string; why?: string; direction?: string };

function captured(): { log: ReturnType<typeof createLogger>; lines: Line[] } {
  const lines: Line[] = [];
  return { lines, log: createLogger({ level: 'debug', format: 'json', destination: { write: (l: string) => lines.push(JSON.parse(l) as Line) } }) };
}

const notInstalled = Object.assign(new Error("Cannot find module 'naudiodon'\nRequire stack:\n- /opt/speech-satellite/dist/src/adapters/audio/portaudio-backend.js"), {
  code: 'MODULE_NOT_FOUND',
});

test('a missing naudiodon is explained: build tools on x86_64 and 32-bit ARM, no PortAudio build at all on arm64', () => {
  assert.match(explainPortAudioFailure(notInstalled, 'x64'), /^naudiodon is not installed: npm leaves this optional package out when it cannot compile it \(install build-essential and python3, then run npm ci again\)$/);
  assert.match(explainPortAudioFailure(notInstalled, 'arm'), /install build-essential and python3/);
  assert.match(explainPortAudioFailure(notInstalled, 'arm64'), /^naudiodon is not installed: its bundled PortAudio exists for x86_64 and 32-bit ARM only/);
  assert.match(explainPortAudioFailure(new Error('Could not locate the bindings file. Tried: …'), 'x64'), /never compiled .*npm rebuild naudiodon/);
  assert.match(
    explainPortAudioFailure(new Error("The module 'naudiodon.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 108."), 'x64'),
    /compiled for another Node\.js version \(run npm rebuild naudiodon\)/,
  );
  assert.equal(explainPortAudioFailure(new Error('libportaudio.so.2: cannot open shared object file\nmore'), 'x64'), 'naudiodon does not load: libportaudio.so.2: cannot open shared object file');
});

test('one rule decides the backend of a device, with the reason the other one is not used', () => {
  const knows = { knows: true };
  const unknown = { knows: false };
  const missing = { error: 'naudiodon is not installed: …' };
  assert.deepEqual(decideBackend('alsa', 'input', knows), { backend: 'alsa', why: 'PortAudio is not used: audio.backend is alsa' });
  assert.deepEqual(decideBackend('auto', 'input', knows, true), { backend: 'alsa', why: 'PortAudio is not used: audio.mic.pace is on, which only arecord can do' });
  assert.deepEqual(decideBackend('auto', 'output', knows, true).backend, 'portaudio', 'pace is about the microphone');
  assert.deepEqual(decideBackend('auto', 'input', missing), { backend: 'alsa', why: 'PortAudio is not used: naudiodon is not installed: …' });
  assert.deepEqual(decideBackend('naudiodon', 'input', missing).backend, 'alsa');
  assert.match(decideBackend('auto', 'output', knows).why, /^arecord\/aplay is not used: PortAudio knows this device/);
  assert.match(decideBackend('auto', 'output', unknown).why, /^PortAudio is not used: it has no device by this name/);
  assert.deepEqual(decideBackend('naudiodon', 'output', unknown), { backend: 'portaudio', why: 'arecord/aplay is not used: audio.backend is naudiodon' });
});

test('choosing a backend logs one line per device naming the backend and the reason', () => {
  const { log, lines } = captured();
  assert.ok(chooseBackend('alsa', 'plughw:CARD=seeed2micvoicec,DEV=0', 'input', { alsaConfig: null, log }) instanceof AlsaBackend);
  assert.ok(chooseBackend('auto', 'satmic', 'input', { alsaConfig: null, pace: true, log }) instanceof AlsaBackend);
  const choices = lines.filter((l) => l.msg.startsWith('audio backend'));
  assert.deepEqual(
    choices.map((l) => [l.level, l.msg, l.backend]),
    [
      ['info', 'audio backend for the microphone "plughw:CARD=seeed2micvoicec,DEV=0": arecord/aplay (ALSA); PortAudio is not used: audio.backend is alsa', 'alsa'],
      ['info', 'audio backend for the microphone "satmic": arecord/aplay (ALSA); PortAudio is not used: audio.mic.pace is on, which only arecord can do', 'alsa'],
    ],
  );
});

let daemon: TestDaemon | undefined;
const devices = makeFileDevices(silence(1), { mic: 'choosemic', speaker: 'choosespk' });
after(async () => {
  await daemon?.stop();
  devices.cleanup();
});

test('at start-up the satellite says which backend the microphone and the speaker use, and why', async (t) => {
  if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
  daemon = await startTestDaemon(satelliteConfig(devices, { audio: { backend: 'auto' } }));
  const lines = daemon.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.msg.startsWith('audio backend for the'));
  assert.equal(lines.length, 2, daemon.logs.join(''));
  assert.equal(lines[0]!.msg, 'audio backend for the microphone "choosemic": arecord/aplay (ALSA); PortAudio is not used: audio.mic.pace is on, which only arecord can do');
  // The speaker is PortAudio's when naudiodon loads (it lists the devices of audio.alsa_config), else arecord/aplay with the reason.
  assert.match(
    lines[1]!.msg,
    /^audio backend for the speaker "choosespk": (PortAudio \(naudiodon\); arecord\/aplay is not used: PortAudio knows this device|arecord\/aplay \(ALSA\); PortAudio is not used: naudiodon .+)/,
  );
});
