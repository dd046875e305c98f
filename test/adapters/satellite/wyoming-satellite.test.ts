/**
 * The satellite end to end: the real daemon, the real openWakeWord engine, arecord/aplay on ALSA
 * `file` devices (no sound card), and a client that behaves like Home Assistant over real TCP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readClip } from '../../helpers/clips.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need } from '../../helpers/system.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';
import { makeFileDevices, type FileDevices } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, micRecording, satelliteConfig, TTS_CLIP } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

describe('satellite end to end', () => {
  let devices: FileDevices;
  let daemon: TestDaemon | undefined;
  let command: Buffer;
  let ready = false;

  before(async () => {
    if (!haveSatelliteParts()) return;
    const recording = micRecording();
    command = recording.command;
    devices = makeFileDevices(recording.pcm);
    daemon = await startTestDaemon(satelliteConfig(devices));
    ready = true;
  });

  after(async () => {
    await daemon?.stop();
    devices?.cleanup();
  });

  test('wake word → detection, asr→tts pipeline, the command streamed, TTS played and `played` sent', async (t) => {
    if (!need(t, ready, 'alsa-utils and the shared openWakeWord models are needed')) return;
    const events: string[] = [];
    const bus = daemon!.context.bus;
    bus.on('wake-detected', 'test', (e) => events.push(`wake ${e.name} ${e.source} ${e.phrase}`));
    bus.on('transcript', 'test', (e) => events.push(`transcript ${e.text} ${e.source}`));
    bus.on('ha-connection', 'test', (e) => events.push(`ha ${e.connected}`));
    bus.on('satellite-state', 'test', (e) => events.push(`state ${e.state}`));
    const ha = await FakeHomeAssistant.connect(daemon!.satellitePort!);
    try {
      const info = await ha.waitForType('info', 2_000);
      const satellite = info.frame.data['satellite'] as Record<string, unknown>;
      assert.equal(satellite['name'], 'Kitchen satellite');
      assert.equal(satellite['area'], 'Kitchen');
      assert.equal(satellite['installed'], true);
      const wake = info.frame.data['wake'] as Array<{ models: Array<{ name: string; phrase: string }> }>;
      assert.ok(wake.flatMap((p) => p.models).some((m) => m.name === 'alexa' && m.phrase.length > 0), 'local wake models with phrases are in info.wake');
      assert.deepEqual(info.frame.data['asr'], []);

      const detection = await ha.waitForType('detection', 15_000);
      assert.equal(detection.frame.data['name'], 'alexa');
      const run = await ha.waitForType('run-pipeline', 2_000, detection.index);
      assert.equal(run.frame.data['start_stage'], 'asr');
      assert.equal(run.frame.data['end_stage'], 'tts');
      assert.equal(run.frame.data['restart_on_end'], false);
      assert.equal(run.frame.data['wake_word_name'], 'alexa');
      assert.ok(!ha.types().slice(0, run.index).includes('audio-chunk'), 'no audio before run-pipeline');

      // A second connection (HA's 30 s describe poll) is answered mid-run without disturbing the owner.
      const poll = await WyomingTestClient.connect(daemon!.satellitePort!);
      poll.send('describe', {});
      const polled = await poll.waitForType('info', 1_000);
      assert.equal((polled.data['satellite'] as Record<string, unknown>)['name'], 'Kitchen satellite');
      poll.close();

      // Stream until the whole command has arrived, byte for byte (16 kHz, 16-bit, mono).
      await ha.waitFor(() => ha.streamedAudio(run.index).includes(command), 15_000);
      const chunk = ha.frames.slice(run.index).find((f) => f.type === 'audio-chunk')!;
      assert.deepEqual([chunk.data['rate'], chunk.data['width'], chunk.data['channels']], [16000, 2, 1]);

      ha.send('transcribe', { language: 'en' });
      ha.send('transcript', { text: 'he could wait no longer' });
      const stoppedAt = ha.frames.length;
      ha.send('synthesize', { text: 'this is a test', voice: { name: 'en_US-test' } });
      const tts = readClip(TTS_CLIP);
      ha.sendAudio(tts.pcm, tts.format);
      await ha.waitForType('played', 15_000, stoppedAt);
      assert.ok(devices.played().includes(tts.pcm), 'the playback device received the TTS audio');
      const afterTranscript = ha.frames.slice(stoppedAt).filter((f) => f.type === 'audio-chunk').length;
      assert.ok(afterTranscript <= 2, `streaming stopped at the transcript (${afterTranscript} chunks after it)`);
      assert.ok(ha.frames.some((f) => f.type === 'ping'), 'the satellite pings once HA has pinged');
      assert.equal(daemon!.satellite?.state, 'idle');
      const wakeEvent = events.find((e) => e.startsWith('wake '));
      assert.match(wakeEvent ?? '', /^wake alexa satellite \S/);
      assert.ok(events.includes('transcript he could wait no longer satellite'));
      assert.equal(events[0], 'ha true');
      const states = events.filter((e) => e.startsWith('state ')).map((e) => e.slice(6));
      for (const s of ['listening', 'processing', 'speaking', 'idle']) assert.ok(states.includes(s), `state ${s} was published (${states.join(', ')})`);
    } finally {
      ha.close();
    }
  });
});
