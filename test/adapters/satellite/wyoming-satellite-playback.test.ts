/**
 * What the satellite plays, checked on the ALSA file playback device: timers ring, HA's audio in
 * odd formats is converted or refused, HA vanishing mid-playback is survived, the volume is the
 * real gain and survives a restart, and a speaker that is missing is retried.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { synthesizeSound } from '../../../src/adapters/satellite/satellite-sound-synth.js';
import { readClip } from '../../helpers/clips.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need } from '../../helpers/system.js';
import { makeFileDevices, silence, type FileDevices } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig, satelliteSuite, sleep, TTS_CLIP, until } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

/** The built-in sounds are 22050 Hz; a speaker at that rate receives them byte for byte. */
const SPEAKER = { rate: 22050 };

function occurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

function peak(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}

function sine(seconds: number, hz: number, format: { rate: number; width: number; channels: number }): Buffer {
  const frames = Math.round(seconds * format.rate);
  const out = Buffer.alloc(frames * format.width * format.channels);
  for (let i = 0; i < frames; i++) {
    const v = 0.5 * Math.sin((2 * Math.PI * hz * i) / format.rate);
    for (let c = 0; c < format.channels; c++) out.writeInt32LE(Math.round(v * 2147483647), (i * format.channels + c) * 4);
  }
  return out;
}

/** Without the silence aplay pads the last period with. */
function trimSilence(pcm: Buffer): Buffer {
  let end = pcm.length;
  while (end >= 2 && pcm.readInt16LE(end - 2) === 0) end -= 2;
  return pcm.subarray(0, end);
}

function zeroCrossings(pcm: Buffer): number {
  let n = 0;
  for (let i = 2; i + 1 < pcm.length; i += 2) if (pcm.readInt16LE(i - 2) < 0 !== pcm.readInt16LE(i) < 0) n++;
  return n;
}

describe('satellite playback', () => {
  let devices: FileDevices;
  let daemon: TestDaemon | undefined;
  let ha: FakeHomeAssistant | undefined;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'satellite-state-'));
  let ready = false;

  before(async () => {
    if (!haveSatelliteParts()) return;
    devices = makeFileDevices(silence(1));
    daemon = await startTestDaemon({
      ...satelliteConfig(devices, { speaker: SPEAKER, satellite: { sounds: { timer_repeat: 3, timer_repeat_delay_s: 0.05 } } }),
      state_dir: stateDir,
    });
    ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await ha.waitForType('info', 1_000);
    ready = true;
  });

  after(async () => {
    ha?.close();
    await daemon?.stop();
    devices?.cleanup();
  });

  test('timer-finished rings the timer sound the configured number of times', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    ha!.send('timer-started', { id: 'pasta', total_seconds: 1, name: 'pasta', start_seconds: 1 });
    ha!.send('timer-updated', { id: 'pasta', is_active: true, total_seconds: 1 });
    ha!.send('timer-finished', { id: 'pasta' });
    const ring = synthesizeSound('timer');
    await until('the timer sound has rung three times', () => occurrences(devices.played(), ring) >= 3, 5_000);
    assert.equal(occurrences(devices.played(), ring), 3);
    assert.ok(!ha!.types().includes('played'), 'sounds are not reported as played');
  });

  test('audio before synthesize and audio-stop followed by a new audio-start both play, then played', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const format = { rate: 22050, width: 2, channels: 1 };
    const a = Buffer.alloc(8820, 1);
    const b = Buffer.alloc(8820, 2);
    const from = ha!.frames.length;
    ha!.sendAudio(a, format);
    ha!.send('synthesize', { text: 'the answer' });
    ha!.sendAudio(b, format);
    await ha!.waitForType('played', 5_000, from);
    const played = devices.played();
    const at = played.indexOf(a);
    assert.ok(at >= 0 && played.indexOf(b, at + a.length) > at, 'both streams reached the speaker, in order');
  });

  test('audio in a format that cannot be played is refused with an error; odd but valid formats are converted', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const from = ha!.frames.length;
    ha!.send('audio-start', { rate: 22050, width: 3, channels: 1, timestamp: 0 });
    const refused = await ha!.waitForType('error', 2_000, from);
    assert.equal(refused.frame.data['code'], 'SAT_ERR_AUDIO_FORMAT');
    ha!.send('audio-stop', { timestamp: null });

    const odd = { rate: 48000, width: 4, channels: 2 };
    const before = devices.played().length;
    ha!.sendAudio(sine(0.5, 500, odd), odd);
    await ha!.waitForType('played', 5_000, from);
    const added = trimSilence(devices.played().subarray(before));
    const expected = 0.5 * 22050 * 2;
    assert.ok(Math.abs(added.length - expected) < expected * 0.1, `0.5 s at the device rate (${added.length} bytes)`);
    const crossings = zeroCrossings(added);
    assert.ok(crossings > 450 && crossings < 550, `a 500 Hz tone stays 500 Hz (${crossings} zero crossings in 0.5 s)`);
    assert.equal(ha!.closed, false, 'the connection survives bad audio');
  });

  test('a 4 MiB chunk declared at 100 Hz, or carrying minutes of audio, is not converted, and the next reply plays', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const rssBefore = process.memoryUsage().rss;
    const payload = Buffer.alloc(4 * 1024 * 1024, 0x80);
    const from = ha!.frames.length;
    ha!.send('audio-start', { rate: 100, width: 1, channels: 1, timestamp: 0 });
    assert.equal((await ha!.waitForType('error', 2_000, from)).frame.data['code'], 'SAT_ERR_AUDIO_FORMAT');
    ha!.send('audio-chunk', { rate: 100, width: 1, channels: 1, timestamp: 0 }, payload);
    ha!.send('audio-stop', { timestamp: null });
    // A valid rate, but 524 s of audio in one chunk: dropped by its declared length.
    ha!.send('audio-start', { rate: 8000, width: 1, channels: 1, timestamp: 0 });
    ha!.send('audio-chunk', { rate: 8000, width: 1, channels: 1, timestamp: 0 }, payload);
    ha!.send('audio-stop', { timestamp: null });
    await sleep(500); // let the dropped stream finish before the next reply
    const grew = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grew < 200, `RSS grew by ${grew.toFixed(0)} MB`);
    const tts = readClip(TTS_CLIP);
    const next = ha!.frames.length;
    const before = devices.played().length;
    ha!.sendAudio(tts.pcm, tts.format);
    await ha!.waitForType('played', 5_000, next);
    assert.ok(devices.played().length - before > tts.pcm.length / 2, 'the next reply is played');
    assert.equal(ha!.closed, false, 'the connection survives');
  });

  test('the volume is the real playback gain, and it survives a restart', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const tts = readClip(TTS_CLIP);
    const send = async () => {
      const from = ha!.frames.length;
      const before = devices.played().length;
      ha!.sendAudio(tts.pcm, tts.format);
      await ha!.waitForType('played', 5_000, from);
      return devices.played().subarray(before);
    };
    const full = peak(await send());
    daemon!.satellite!.setVolume(50);
    const half = peak(await send());
    assert.ok(Math.abs(half / full - 0.25) < 0.02, `50 % plays at a quarter of the amplitude (${half} vs ${full})`);
    daemon!.satellite!.setMuted(true);
    const saved = JSON.parse(readFileSync(path.join(stateDir, 'satellite.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(saved['volume'], 50);
    assert.equal(saved['muted'], true);

    ha!.close();
    await daemon!.stop();
    daemon = await startTestDaemon({ ...satelliteConfig(devices, { speaker: SPEAKER }), state_dir: stateDir });
    assert.equal(daemon.satellite!.volume, 50);
    assert.equal(daemon.satellite!.muted, true);
    daemon.satellite!.setMuted(false);
    daemon.satellite!.setVolume(100);
    ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await ha.waitForType('info', 1_000);
  });

  test('speak() says text through the local TTS on the speaker', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    if (!need(t, daemon!.context.speech.voices().length > 0, 'a local TTS voice (espeak-ng) is needed')) return;
    const before = devices.played().length;
    await daemon!.satellite!.speak('the pasta is ready');
    const added = devices.played().subarray(before);
    assert.ok(added.length > 22050, `at least half a second was played (${added.length} bytes)`);
    assert.ok(peak(added) > 1000, 'and it is not silence');
  });

  test('the wake word can be switched to another installed model, and the choice is saved', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const control = daemon!.satellite!;
    assert.deepEqual([...control.wakeWords].sort(), ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy']);
    const active = () => control.activeWakeWord;
    assert.equal(active(), 'alexa');
    assert.throws(() => control.selectWakeWord('okay_nabu'), (err: Error & { code?: string }) => err.code === 'SAT_ERR_WAKE_MODEL_NOT_FOUND');
    control.selectWakeWord('hey_jarvis');
    await until('hey_jarvis is active', () => active() === 'hey_jarvis', 2_000);
    const from = ha!.frames.length;
    ha!.send('describe', {});
    const info = await ha!.waitForType('info', 1_000, from);
    assert.deepEqual((info.frame.data['satellite'] as { active_wake_words: string[] }).active_wake_words, ['hey_jarvis']);
    await until('the choice is saved', () => readFileSync(path.join(stateDir, 'satellite.json'), 'utf8').includes('hey_jarvis'), 2_000);
    assert.deepEqual((JSON.parse(readFileSync(path.join(stateDir, 'satellite.json'), 'utf8')) as { wake_words: string[] }).wake_words, ['hey_jarvis']);
    control.selectWakeWord('alexa');
  });

  test('HA vanishing mid-playback is survived and the next connection plays', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const format = { rate: 22050, width: 2, channels: 1 };
    ha!.sendAudio(Buffer.alloc(44100, 3), format, false);
    await sleep(100);
    ha!.close();
    await until('the satellite notices HA is gone', () => daemon!.satellite!.state === 'disconnected', 5_000);
    ha = await FakeHomeAssistant.connect(daemon!.satellitePort!);
    const from = ha.frames.length;
    const tone = Buffer.alloc(4410, 4);
    ha.sendAudio(tone, format);
    await ha.waitForType('played', 5_000, from);
    assert.ok(devices.played().includes(tone));
  });
});

describe('satellite with a missing speaker', () => {
  const suite = satelliteSuite(silence(1), { mic: 'spkmic', speaker: 'latespeaker' });

  test('playback fails without played, the failure shows in the state, and once the device appears playback works', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const { devices } = suite;
    devices.rewrite({ withSpeaker: false });
    const daemon = await suite.start(satelliteConfig(devices, { speaker: SPEAKER, audio: { reopen_initial_s: 0.2, reopen_max_s: 0.5 } }));
    const states: Array<{ state: string; detail?: string | undefined }> = [];
    daemon.context.bus.on('satellite-state', 'test', (s) => states.push(s));
    const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    const format = { rate: 22050, width: 2, channels: 1 };
    ha.sendAudio(Buffer.alloc(4410, 5), format);
    await until('the failure shows in the state', () => states.some((s) => s.detail?.includes('speaker unavailable') ?? false), 5_000);
    assert.ok(!ha.types().includes('played'), 'nothing was played, so no played');

    devices.rewrite({ withSpeaker: true });
    await sleep(600);
    const from = ha.frames.length;
    const tone = Buffer.alloc(4410, 6);
    ha.sendAudio(tone, format);
    await ha.waitForType('played', 5_000, from);
    assert.ok(devices.played().includes(tone));
    assert.equal(daemon.satellite!.state, 'idle');
    ha.close();
  });
});
