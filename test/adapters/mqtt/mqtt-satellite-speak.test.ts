/**
 * MQTT `speak` on the real satellite (ALSA file devices with a speaker that plays in real time,
 * the shared openWakeWord models, real espeak-ng, a real mosquitto): the announcement is a state
 * of the satellite, the mic is not listened to while it plays, and the answer on `response` comes
 * when the speaker has really finished, or with a code when it cannot.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readClip } from '../../helpers/clips.js';
import { hasCommand, need } from '../../helpers/system.js';
import { silence } from '../audio/alsa-file-devices.js';
import { sayIntoMic, sleep, TTS_CLIP } from '../satellite/wyoming-satellite-fixtures.js';
import { RIG_PARTS, rigReady, startRig, stopRig, type Rig, type StateDoc } from './mqtt-satellite-rig.js';

/** About 10 s of speech from espeak-ng: long enough for a wake word said meanwhile to reach the mic. */
const ANNOUNCEMENT =
  'Good evening. The washing machine has finished its cycle, the oven is now preheated to two hundred degrees, and the front door has been locked for the night. Have a pleasant evening.';
const MIN_SPEECH_SECONDS = 7;
const SPEAKER_BYTES_PER_SECOND = 32_000;
/** Speaking the announcement and then answering. */
const ANSWER_TIMEOUT_MS = 30_000;
const REASON = `${RIG_PARTS}, and espeak-ng`;

function peak(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}

/** Publishes on `topic` and waits (long enough for a whole announcement) for the response that `matches`. */
async function ask(rig: Rig, topic: string, payload: string, matches: (reply: StateDoc) => boolean = () => true): Promise<StateDoc> {
  const mark = rig.probe.mark();
  await rig.probe.publish(`${rig.base}/${topic}`, payload);
  const reply = await rig.probe.waitFor((m) => m.topic === `${rig.base}/response` && matches(JSON.parse(m.text) as StateDoc), mark, ANSWER_TIMEOUT_MS, `response to ${topic}`);
  return JSON.parse(reply.text) as StateDoc;
}

/** The satellite states published after `from`, repeats collapsed. */
function stateSequence(rig: Rig, from: number): string[] {
  const states = rig.probe.messages
    .slice(from)
    .filter((m) => m.topic === `${rig.base}/state`)
    .map((m) => (JSON.parse(m.text) as StateDoc)['state'] as string);
  return states.filter((s, i) => s !== states[i - 1]);
}

/** The satellite's `from → to` log lines (its state and where the mic goes) from log line `from` on. */
function transitions(rig: Rig, from: number): string[] {
  return rig.daemon.logs
    .slice(from)
    .map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '')
    .filter((msg) => /^(satellite|mic) \S+ → /.test(msg));
}

describe('MQTT speak on the real satellite', () => {
  let rig: Rig | undefined;
  const ready = () => rigReady() && hasCommand('espeak-ng');
  const alexa = () => readClip('oww-alexa.wav').pcm;

  before(async () => {
    if (ready()) rig = await startRig('speaktest', silence(1), { pacedSpeaker: true });
  });
  after(() => stopRig(rig));

  test('MQTT speak: the state goes speaking and back to idle, ok comes once the speech has played, and the mic is not routed to wake detection meanwhile', async (t) => {
    if (!need(t, ready(), REASON)) return;
    const { probe, ha, devices, base } = rig!;
    await rig!.state((d) => d['ha_connected'] === true && d['state'] === 'idle');
    await ha.waitForType('info', 5_000);
    const mark = probe.mark();
    const fromFrame = ha.frames.length;
    const fromLog = rig!.daemon.logs.length;
    const before = devices.played().length;

    const answer = ask(rig!, 'speak', ANNOUNCEMENT);
    await rig!.state((d) => d['state'] === 'speaking', mark);
    const speaking = probe.mark();
    sayIntoMic(devices, alexa()); // heard while the announcement plays: must not wake the satellite

    assert.deepEqual(await answer, { command: 'speak', status: 'ok' });
    const playedAtAnswer = devices.played().length;
    const speech = devices.played().subarray(before, playedAtAnswer);
    assert.ok(speech.length > MIN_SPEECH_SECONDS * SPEAKER_BYTES_PER_SECOND, `the announcement was played before ok (${speech.length} bytes)`);
    assert.ok(peak(speech) > 500, 'and it is speech, not silence');
    await rig!.state((d) => d['state'] === 'idle', speaking);
    await sleep(500);
    assert.equal(devices.played().length, playedAtAnswer, 'nothing was left playing when ok came');

    const states = stateSequence(rig!, mark);
    assert.deepEqual(states.slice(states.indexOf('speaking')), ['speaking', 'idle'], `states: ${states.join(' → ')}`);
    assert.ok(!ha.types(fromFrame).includes('detection'), 'the wake word said during the announcement was not heard');
    assert.ok(!probe.messages.slice(mark).some((m) => m.topic === `${base}/wake`), 'and no wake event went out');
    assert.deepEqual(transitions(rig!, fromLog), [
      'satellite waiting-wake → announcing(running)',
      'mic wake → drop',
      'satellite announcing(running) → waiting-wake',
      'mic drop → wake',
    ]);

    // The same wake word once the announcement is over is heard.
    const afterFrame = ha.frames.length;
    sayIntoMic(devices, alexa());
    const detection = await ha.waitForType('detection', 10_000, afterFrame);
    assert.equal(detection.frame.data['name'], 'alexa');
    ha.send('error', { text: 'test over', code: 'test' }); // ends the run, so the satellite listens again
    await rig!.state((d) => d['state'] === 'idle', probe.mark());
  });

  test("a second speak while one plays is refused as busy; HA's audio cuts an announcement short with a coded error and plays", async (t) => {
    if (!need(t, ready(), REASON)) return;
    const { probe, ha } = rig!;
    await rig!.state((d) => d['state'] === 'idle');
    const mark = probe.mark();
    const first = ask(rig!, 'command', JSON.stringify({ command: 'speak', text: ANNOUNCEMENT, transaction: 'first' }), (r) => r['transaction'] === 'first');
    await rig!.state((d) => d['state'] === 'speaking', mark);
    const speaking = probe.mark();

    const second = await ask(rig!, 'command', JSON.stringify({ command: 'speak', text: 'and another thing', transaction: 'second' }), (r) => r['transaction'] === 'second');
    assert.equal(second['status'], 'error');
    assert.equal(second['error']?.code, 'SAT_ERR_SATELLITE_BUSY');

    const fromFrame = ha.frames.length;
    const tts = readClip(TTS_CLIP);
    ha.sendAudio(tts.pcm, tts.format);
    const cut = await first;
    assert.equal(cut['status'], 'error');
    assert.equal(cut['error']?.code, 'SAT_ERR_SPEAK_INTERRUPTED');
    await ha.waitForType('played', 15_000, fromFrame);
    await rig!.state((d) => d['state'] === 'idle', speaking);
  });
});
