/**
 * The VAD and always-streaming modes against an HA-like client, with the real Silero VAD and
 * ALSA file devices.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readClip } from '../../helpers/clips.js';
import { need, sharedModel } from '../../helpers/system.js';
import { silence } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig, satelliteSuite, sleep } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

const SILERO = sharedModel('silero-vad', 'silero_vad.onnx');
const SPEECH = 'librispeech-1089-134691-0000.wav';

describe('satellite in VAD mode', () => {
  const speech = readClip(SPEECH).pcm;
  const suite = satelliteSuite(Buffer.concat([silence(2), speech, silence(3), speech, silence(3)]));

  test('speech starts a wake→tts pipeline with the pre-roll; audio-stop when HA hears no wake word; streaming goes on after HA’s detection', async (t) => {
    if (!need(t, haveSatelliteParts() && existsSync(SILERO), 'alsa-utils, openWakeWord and Silero VAD models are needed')) return;
    const daemon = await suite.start({
      ...satelliteConfig(suite.devices, { satellite: { mode: 'vad', vad: { pre_roll_s: 1, wake_timeout_s: 1.5 } } }),
      vad: { model: SILERO },
    });
    const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    const info = await ha.waitForType('info', 1_000);
    assert.equal((info.frame.data['satellite'] as Record<string, unknown>)['has_vad'], true);

    // First utterance: HA's wake word never fires, so the satellite ends the stream itself.
    const run = await ha.waitForType('run-pipeline', 10_000);
    assert.deepEqual(
      { start: run.frame.data['start_stage'], end: run.frame.data['end_stage'], restart: run.frame.data['restart_on_end'] },
      { start: 'wake', end: 'tts', restart: false },
    );
    const stop = await ha.waitForType('audio-stop', 5_000, run.index);
    const streamed = Buffer.concat(ha.frames.slice(run.index, stop.index).filter((f) => f.type === 'audio-chunk').map((f) => f.payload!));
    const onset = streamed.indexOf(speech.subarray(0, 3200));
    assert.ok(onset > 0, 'the stream holds the start of the speech, after some pre-roll');

    // Second utterance: HA detects its wake word; the stream goes on until the transcript.
    const run2 = await ha.waitForType('run-pipeline', 10_000, stop.index);
    ha.send('detection', { name: 'hey_jarvis', timestamp: null });
    await sleep(2_500);
    assert.ok(!ha.types(run2.index).includes('audio-stop'), 'no audio-stop once HA heard its wake word');
    const beforeTranscript = ha.frames.length;
    ha.send('transcript', { text: 'he could wait no longer' });
    await sleep(500);
    const late = ha.frames.slice(beforeTranscript).filter((f) => f.type === 'audio-chunk').length;
    const later = ha.frames.length;
    await sleep(500);
    assert.ok(late <= 3, `streaming stopped at the transcript (${late})`);
    assert.equal(ha.frames.slice(later).filter((f) => f.type === 'audio-chunk').length, 0);
    ha.close();
  });
});

describe('satellite in always-streaming mode', () => {
  const suite = satelliteSuite(silence(1), { mic: 'alwaysmic', speaker: 'alwaysspk' });

  test('run-satellite starts an endless wake→tts pipeline; streaming survives transcripts; an error asks for a new run', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const daemon = await suite.start(satelliteConfig(suite.devices, { satellite: { mode: 'always-streaming' } }));
    const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
    const run = await ha.waitForType('run-pipeline', 2_000);
    assert.deepEqual(
      { start: run.frame.data['start_stage'], end: run.frame.data['end_stage'], restart: run.frame.data['restart_on_end'] },
      { start: 'wake', end: 'tts', restart: true },
    );
    await ha.waitFor(() => ha.types(run.index).filter((x) => x === 'audio-chunk').length >= 5, 3_000);
    ha.send('transcript', { text: 'hello' });
    const after = ha.frames.length;
    await ha.waitFor(() => ha.types(after).filter((x) => x === 'audio-chunk').length >= 5, 3_000);
    ha.send('error', { text: 'pipeline failed', code: 'stt-no-text-recognized' });
    const again = await ha.waitForType('run-pipeline', 3_000, after);
    assert.equal(again.frame.data['restart_on_end'], true);
    ha.close();
  });
});
