/**
 * MQTT control of the real satellite (ALSA file devices, the shared openWakeWord models, a real
 * mosquitto): satellite entities in discovery, mute stops listening, volume is the playback gain,
 * wake word select, speak, wake events; the state's detail and `paused`; provider activity kept
 * off the satellite's device.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readClip } from '../../helpers/clips.js';
import { need } from '../../helpers/system.js';
import { silence } from '../audio/alsa-file-devices.js';
import { TTS_CLIP } from '../satellite/wyoming-satellite-fixtures.js';
import { machineShortId } from '../../../src/adapters/mdns/mdns-identity.js';
import { mqttIdentity } from '../../../src/adapters/mqtt/topics.js';
import { discoveryProblems } from './ha-discovery-rules.js';
import { RIG_PARTS as partsReason, rigReady as ready, startRig, stopRig, type Rig, type StateDoc } from './mqtt-satellite-rig.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function peak(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}

/** "alexa" every 4 s, starting at 2 s. */
function repeatedWake(times: number): Buffer {
  const alexa = readClip('oww-alexa.wav').pcm;
  const parts = [silence(2)];
  for (let i = 0; i < times; i++) parts.push(alexa, silence(4 - alexa.length / 32000));
  return Buffer.concat(parts);
}

describe('MQTT mute of the real satellite', () => {
  let rig: Rig | undefined;
  after(() => stopRig(rig));

  test('mute via MQTT stops the satellite listening and is reflected in state; unmute brings wake words back', async (t) => {
    if (!need(t, ready(), partsReason)) return;
    rig = await startRig('mutetest', repeatedWake(4));
    const { probe, ha, base } = rig;
    await probe.waitForText(`${base}/availability`, 'online');
    const deviceId = mqttIdentity('mutetest', machineShortId()).deviceId;
    for (const [component, key] of [['sensor', 'state'], ['switch', 'mic_mute'], ['number', 'volume'], ['select', 'wake_word'], ['event', 'wake'], ['notify', 'speak'], ['binary_sensor', 'ha_connection']]) {
      const m = await probe.waitFor((x) => x.topic === `homeassistant/${component}/${deviceId}/${key}/config` && x.text !== '', 0, 10_000, `${component} ${key} discovery`);
      assert.equal((JSON.parse(m.text) as StateDoc)['device'].model, 'Wyoming voice satellite');
    }
    await rig.state((d) => d['ha_connected'] === true && d['state'] === 'idle');

    // Muted before the wake words at 2 s and 6 s: neither is heard.
    const reply = await rig.command('mute/set', 'ON');
    assert.equal(reply['status'], 'ok');
    await rig.state((d) => d['muted'] === true && d['state'] === 'muted');
    assert.equal(rig.daemon.satellite!.muted, true);
    await sleep(6_500);
    assert.ok(!ha.types().includes('detection'), 'no detection while muted over MQTT');

    // Unmuted: the wake word at 10 s is heard, shows on the MQTT wake event and in the state.
    const mark = probe.mark();
    assert.equal((await rig.command('mute/set', 'OFF'))['status'], 'ok');
    await rig.state((d) => d['muted'] === false, mark);
    const detection = await ha.waitForType('detection', 8_000);
    assert.equal(detection.frame.data['name'], 'alexa');
    const wake = await probe.waitFor((m) => m.topic === `${base}/wake`, mark);
    assert.equal((JSON.parse(wake.text) as StateDoc)['event_type'], 'alexa');
    const doc = await rig.state((d) => d['wake']?.word === 'alexa', mark);
    assert.equal(doc['wake'].source, 'satellite');
  });
});

describe('MQTT volume, wake word and speak on the real satellite', () => {
  let rig: Rig | undefined;
  after(() => stopRig(rig));

  test('volume via MQTT changes the playback gain; wake word select and speak work; bad values are refused', async (t) => {
    if (!need(t, ready(), partsReason)) return;
    rig = await startRig('voltest', silence(1));
    const { ha, devices } = rig;
    await rig.state((d) => d['ha_connected'] === true);
    const tts = readClip(TTS_CLIP);
    const play = async () => {
      const from = ha.frames.length;
      const before = devices.played().length;
      ha.sendAudio(tts.pcm, tts.format);
      await ha.waitForType('played', 5_000, from);
      return peak(devices.played().subarray(before));
    };
    assert.equal((await rig.command('volume/set', '100'))['status'], 'ok');
    const full = await play();
    const reply = await rig.command('command', JSON.stringify({ command: 'volume', value: 50, transaction: 'v1' }));
    assert.deepEqual(reply, { command: 'volume', status: 'ok', transaction: 'v1' });
    await rig.state((d) => d['volume'] === 50);
    const half = await play();
    assert.ok(full > 1000, 'the clip is audible at full volume');
    assert.ok(Math.abs(half / full - 0.25) < 0.02, `50 % plays at a quarter of the amplitude (${half} vs ${full})`);

    const tooLoud = await rig.command('volume/set', '150');
    assert.equal(tooLoud['error']?.code, 'SAT_ERR_MQTT_OUT_OF_RANGE');
    assert.equal(rig.daemon.satellite!.volume, 50, 'an out-of-range volume changes nothing');

    const words = rig.daemon.satellite!.wakeWords;
    const other = words.find((w) => w !== 'alexa');
    if (other) {
      assert.equal((await rig.command('wake_word/set', other))['status'], 'ok');
      await rig.state((d) => d['wake_word'] === other);
    }
    const unknown = await rig.command('wake_word/set', 'abracadabra');
    assert.equal(unknown['error']?.code, 'SAT_ERR_WAKE_MODEL_NOT_FOUND');

    if (rig.daemon.context.speech.voices().length > 0) {
      const before = devices.played().length;
      assert.equal((await rig.command('speak', 'the pasta is ready'))['status'], 'ok');
      const added = devices.played().subarray(before);
      assert.ok(added.length > 16000, `speech was played (${added.length} bytes)`);
      assert.ok(peak(added) > 500, 'and it is not silence');
    } else {
      t.diagnostic('no local TTS voice: speak over MQTT not checked');
    }
  });
});

describe('MQTT state detail, pause and provider activity on the real satellite', () => {
  let rig: Rig | undefined;
  after(() => stopRig(rig));

  test("a missing microphone shows as the state's detail, HA's pause-satellite as paused, and provider activity goes to the provider device, never the satellite's", async (t) => {
    if (!need(t, ready(), partsReason)) return;
    rig = await startRig('pausetest', silence(1), { micMissing: true, provider: true });
    const { probe, ha, base, daemon } = rig;
    const deviceId = mqttIdentity('pausetest', machineShortId()).deviceId;

    // Nothing heard yet: the transcript states are null (HA: unknown), not empty strings.
    const first = await rig.state((d) => typeof d['detail'] === 'string' && d['detail'].includes('microphone unavailable'));
    assert.match(first['detail'], /^microphone unavailable: .+ \(retrying in \d+ s\)/);
    assert.equal(first['last_transcript'], null);
    assert.equal(first['provider'].last_transcript, null);

    // HA pauses the satellite (its own mute switch does this): the state says so.
    await rig.state((d) => d['ha_connected'] === true);
    let mark = probe.mark();
    ha.send('pause-satellite', {});
    const paused = await rig.state((d) => d['state'] === 'paused', mark);
    assert.match(paused['detail'], /paused by Home Assistant/);
    mark = probe.mark();
    ha.send('run-satellite', {});
    await rig.state((d) => d['state'] !== 'paused', mark);

    // Discovery: a provider device next to the satellite's, everything valid for HA.
    const configs = () => probe.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config') && m.text !== '');
    await probe.waitFor((m) => m.topic === `homeassistant/event/${deviceId}_provider/wake/config` && m.text !== '', 0, 10_000, 'the provider wake event');
    await probe.waitFor((m) => m.topic === `homeassistant/sensor/${deviceId}_provider/last_transcript/config`, 0, 10_000, 'the provider transcript');
    assert.deepEqual(configs().flatMap((m) => discoveryProblems(m.topic, JSON.parse(m.text) as StateDoc)), []);
    const satelliteWake = JSON.parse(configs().find((m) => m.topic === `homeassistant/event/${deviceId}/wake/config`)!.text) as StateDoc;
    assert.deepEqual(satelliteWake['event_types'], daemon.satellite!.wakeWords, "the satellite's event entity lists the satellite's wake words");

    // A wake word and a transcript served by the provider (for some other satellite).
    mark = probe.mark();
    daemon.context.bus.emit('wake-detected', { name: 'hey_jarvis', phrase: 'hey jarvis', source: 'provider', at: new Date() });
    daemon.context.bus.emit('transcript', { text: 'turn on the living room lights', language: 'en', source: 'provider', at: new Date() });
    const event = await probe.waitFor((m) => m.topic === `${base}/provider/wake`, mark, 5_000, 'the provider wake event');
    assert.equal((JSON.parse(event.text) as StateDoc)['event_type'], 'hey_jarvis');
    const doc = await rig.state((d) => d['provider'].last_transcript === 'turn on the living room lights', mark);
    assert.equal(doc['last_transcript'], null, "the satellite's Last transcript is untouched");
    assert.equal(doc['wake'], null);
    assert.equal(doc['provider'].wake.word, 'hey_jarvis');
    await sleep(300);
    assert.ok(!probe.messages.slice(mark).some((m) => m.topic === `${base}/wake`), "the satellite's wake event did not fire");
  });
});
