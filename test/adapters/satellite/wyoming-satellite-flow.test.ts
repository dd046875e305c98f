/**
 * The satellite's listening flow against an HA-like client, with the real wake engine and ALSA
 * file devices: pause-satellite stops streaming, HA vanishing mid-stream, local mute, and a
 * microphone that is missing at start and appears later.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readClip } from '../../helpers/clips.js';
import { haInfoView, referencePython, referencePythonReason } from '../../helpers/python-peers.js';
import { need, STRICT } from '../../helpers/system.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';
import { silence } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig, satelliteSuite, sleep, until } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

/** "alexa" every 4 s, starting at 2 s. */
function repeatedWake(times: number): Buffer {
  const alexa = readClip('oww-alexa.wav').pcm;
  const parts = [silence(2)];
  for (let i = 0; i < times; i++) parts.push(alexa, silence(4 - alexa.length / 32000));
  return Buffer.concat(parts);
}

const countChunks = (ha: FakeHomeAssistant, from: number) => ha.frames.slice(from).filter((f) => f.type === 'audio-chunk').length;

describe('satellite listening flow', () => {
  const suite = satelliteSuite(repeatedWake(4));

  test('pause-satellite stops streaming, HA vanishing mid-stream is survived, and a local mute stops all listening', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const daemon = await suite.start(satelliteConfig(suite.devices));
    const control = daemon.satellite!;
    const first = await FakeHomeAssistant.connect(daemon.satellitePort!);

    // 1. wake, stream, then pause-satellite: the audio stops until run-satellite.
    const wake1 = await first.waitForType('detection', 10_000);
    const run1 = await first.waitForType('run-pipeline', 2_000, wake1.index);
    await first.waitFor(() => countChunks(first, run1.index) >= 3, 5_000);
    first.send('pause-satellite', {});
    const pausedAt = first.frames.length;
    await sleep(500);
    const settled = countChunks(first, pausedAt);
    await sleep(500);
    assert.equal(countChunks(first, pausedAt), settled, 'no audio is streamed after pause-satellite');
    assert.ok(settled <= 3, `only chunks already on the way arrive after the pause (${settled})`);
    first.send('run-satellite', {});

    // 2. the next wake word works again; HA then vanishes mid-stream.
    const wake2 = await first.waitForType('detection', 8_000, pausedAt);
    const run2 = await first.waitForType('run-pipeline', 2_000, wake2.index);
    await first.waitFor(() => countChunks(first, run2.index) >= 3, 5_000);
    first.close();
    await until('the satellite notices HA is gone', () => control.state === 'disconnected');
    const second = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await until('the new connection runs', () => control.state === 'idle');

    // 3. muted: the third wake word is not heard.
    control.setMuted(true);
    assert.equal(control.state, 'muted');
    assert.equal(control.muted, true);
    await sleep(4_200);
    assert.ok(!second.types().includes('detection'), 'no detection while muted');
    control.setMuted(false);
    assert.equal(control.state, 'idle');

    // 4. unmuted: the fourth is.
    const wake4 = await second.waitForType('detection', 8_000);
    assert.equal(wake4.frame.data['name'], 'alexa');
    await second.waitForType('run-pipeline', 2_000, wake4.index);
    assert.ok(daemon.logs.some((l) => l.includes('waiting-wake → muted(running)')), 'the transition into mute is logged');
    second.close();
  });
});

describe('satellite with a missing microphone', () => {
  const suite = satelliteSuite(repeatedWake(2), { mic: 'latemic', speaker: 'latespk' });

  test('starts anyway, shows the failure in the state and in info, retries with backoff and wakes once the device appears', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const { devices } = suite;
    devices.rewrite({ withMic: false });
    const states: Array<{ state: string; detail?: string | undefined }> = [];
    const daemon = await suite.start(satelliteConfig(devices, { audio: { reopen_initial_s: 0.2, reopen_max_s: 0.5 } }));
    daemon.context.bus.on('satellite-state', 'test', (s) => states.push(s));
    const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await ha.waitForType('info', 1_000);
    await until('the failure shows in the state', () => states.some((s) => s.detail?.includes('microphone unavailable') ?? false));
    const retries = () => daemon.logs.filter((l) => l.includes('microphone failed; reopening')).length;
    await until('the device is retried', () => retries() >= 2);
    // Other clients are still served while the mic is gone, and told that it is.
    const micInfo = async () => {
      const poll = await WyomingTestClient.connect(daemon.satellitePort!);
      try {
        poll.send('describe', {});
        const info = await poll.waitForType('info', 1_000);
        return { mic: (info.data['mic'] as Array<{ installed: boolean; description: string }>)[0]!, satellite: info.data['satellite'] as { installed: boolean; name: string } };
      } finally {
        poll.close();
      }
    };
    const gone = await micInfo();
    assert.equal(gone.mic.installed, false, 'the mic program says the device is missing');
    assert.match(gone.mic.description, /^satellite microphone: unavailable \(.+\)$/);
    assert.deepEqual([gone.satellite.installed, gone.satellite.name], [true, 'Kitchen satellite'], 'the satellite itself stays installed');
    // What HA's wyoming library makes of it: still a satellite, under its name (data.py get_name).
    const python = referencePython();
    if (python) {
      const view = await haInfoView(python, daemon.satellitePort!);
      assert.deepEqual([view.satellite, view.name], [true, 'Kitchen satellite']);
      assert.equal(view.devices.find((d) => d.kind === 'mic')?.installed, false);
      assert.deepEqual(view.unversioned, []);
    } else if (STRICT) throw new Error(referencePythonReason());

    devices.rewrite({ withMic: true });
    await until('the device is back', () => daemon.logs.some((l) => l.includes('microphone running')));
    const detection = await ha.waitForType('detection', 10_000);
    assert.equal(detection.frame.data['name'], 'alexa');
    assert.equal(states.at(-1)?.detail, undefined, 'the failure is cleared from the state');
    const back = await micInfo();
    assert.deepEqual([back.mic.installed, back.mic.description], [true, 'satellite microphone'], 'and from info');
    ha.close();
  });
});
