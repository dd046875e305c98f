/**
 * The real daemon (in-process) against a real mosquitto: discovery (valid by HA's rules, no ghosts
 * after a rename), availability, HA birth, broker restarts, bad credentials and invalid commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { need } from '../../helpers/system.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';
import { machineShortId } from '../../../src/adapters/mdns/mdns-identity.js';
import { mqttIdentity } from '../../../src/adapters/mqtt/topics.js';
import { PUBLISHED_FILE_NAME } from '../../../src/adapters/mqtt/published.js';
import { discoveryProblems } from './ha-discovery-rules.js';
import { VERSION } from '../../../src/version.js';
import { Broker, MOSQUITTO, MqttProbe } from './broker.js';

const FAST_RECONNECT = { min_s: 0.2, max_s: 1 };
const REQUIRED_DEVICE_KEYS = ['identifiers', 'name', 'model', 'sw_version'];

function mqttConfig(name: string, broker: Broker, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, mqtt: { url: broker.url, reconnect: FAST_RECONNECT, supervised: true, ...extra } };
}

function discoveryPrefixFor(name: string): string {
  return mqttIdentity(name, machineShortId()).deviceId;
}

test("discovery payloads arrive retained, pass HA's discovery rules, carry the required keys, and stale entities are cleared", async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  t.after(() => broker.stop());
  const name = 'Discovery Test';
  const deviceId = discoveryPrefixFor(name);
  // A leftover entity from an older version of this device, retained on the broker.
  const stale = `homeassistant/switch/${deviceId}/old_feature/config`;
  const seed = await MqttProbe.connect(broker.url, []);
  await seed.publish(stale, JSON.stringify({ name: 'old', unique_id: `${deviceId}_old_feature` }), true);
  await seed.close();

  const daemon = await startTestDaemon(mqttConfig(name, broker));
  t.after(() => daemon.stop());
  const probe = await MqttProbe.connect(broker.url, ['homeassistant/#', 'speech-satellite/discovery-test/#']);
  t.after(() => probe.close());

  await probe.waitForText('speech-satellite/discovery-test/availability', 'online');
  await probe.waitFor((m) => m.topic === stale && m.text === '', 0, undefined, 'the stale entity cleared');
  const restart = await probe.waitFor((m) => m.topic === `homeassistant/button/${deviceId}/restart/config` && m.text !== '');

  // A fresh subscriber gets everything from the broker's retained store.
  const late = await MqttProbe.connect(broker.url, [`homeassistant/+/${deviceId}/+/config`]);
  t.after(() => late.close());
  await late.waitFor((m) => m.topic === restart.topic);
  await new Promise((r) => setTimeout(r, 300));
  const configs = late.messages.filter((m) => m.text !== '');
  assert.ok(configs.every((m) => m.retain), 'discovery is retained');
  assert.ok(!late.messages.some((m) => m.topic === stale), 'the stale entity is gone from the retained store');
  const keys = configs.map((m) => m.topic.split('/')[3]).sort();
  assert.deepEqual(keys, ['errors', 'event_loop_delay', 'last_transcript', 'loaded_models', 'requests', 'restart', 'version'], 'no satellite entities without a satellite');
  for (const m of configs) {
    const p = JSON.parse(m.text) as Record<string, any>;
    assert.deepEqual(discoveryProblems(m.topic, p), []);
    const component = m.topic.split('/')[1]!;
    assert.equal(typeof p['unique_id'], 'string');
    assert.match(p['default_entity_id'], new RegExp(`^${component}\\.discovery_test_`));
    assert.equal(p['availability'][0].topic, 'speech-satellite/discovery-test/availability');
    for (const k of REQUIRED_DEVICE_KEYS) assert.ok(p['device'][k], `device.${k}`);
    assert.equal(p['device'].sw_version, VERSION);
    assert.equal(p['origin'].name, 'speech-satellite');
  }

  const state = await probe.waitFor((m) => m.topic === 'speech-satellite/discovery-test/state');
  const doc = JSON.parse(state.text) as Record<string, any>;
  assert.equal(doc['version'], VERSION);
  assert.equal(typeof doc['stats'].event_loop_delay_p99_ms, 'number');
  assert.equal(doc['state'], null, 'no satellite state without a satellite');
  assert.equal(doc['provider'].last_transcript, null, 'nothing heard yet: null (HA shows unknown), not an empty string');

  // A transcript the provider served shows up in the state: short state, full text and language.
  const long = 'turn on the kitchen lights please '.repeat(10).trim();
  const mark = probe.mark();
  daemon.context.bus.emit('transcript', { text: long, language: 'en', source: 'provider', at: new Date() });
  const updated = await probe.waitFor((m) => m.topic === state.topic && (JSON.parse(m.text) as Record<string, any>)['provider'].transcript?.text === long, mark);
  const after = JSON.parse(updated.text) as Record<string, any>;
  assert.ok([...after['provider'].last_transcript].length <= 255);
  assert.equal(after['provider'].transcript.language, 'en');
  assert.equal(after['last_transcript'], null);
});

test('naming the daemon later (after the quick start without a name) leaves no retained config, availability or state of the old name', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  t.after(() => broker.stop());
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'satellite-rename-'));
  const shortId = machineShortId();
  const oldId = mqttIdentity(null, shortId).deviceId;
  const oldBase = `speech-satellite/${shortId}`;
  const probe = await MqttProbe.connect(broker.url, ['homeassistant/#', 'speech-satellite/#']);
  t.after(() => probe.close());

  // The quick start: no name.
  const unnamed = await startTestDaemon({ state_dir: stateDir, mqtt: { url: broker.url, reconnect: FAST_RECONNECT, supervised: true } });
  await probe.waitFor((m) => m.topic === `homeassistant/sensor/${oldId}/version/config` && m.text !== '', 0, undefined, 'the unnamed device');
  await probe.waitFor((m) => m.topic === `${oldBase}/state`, 0, undefined, 'its state');
  await unnamed.stop();

  // Later, a name.
  const mark = probe.mark();
  const named = await startTestDaemon({ state_dir: stateDir, ...mqttConfig('Living Room', broker) });
  t.after(() => named.stop());
  const newId = mqttIdentity('Living Room', shortId).deviceId;
  await probe.waitFor((m) => m.topic === `homeassistant/sensor/${newId}/version/config` && m.text !== '', mark, undefined, 'the named device');
  await probe.waitFor((m) => m.topic === `homeassistant/sensor/${oldId}/version/config` && m.text === '', mark, undefined, 'the old device cleared');
  await probe.waitFor((m) => m.topic === `${oldBase}/availability` && m.text === '', mark, undefined, 'the old availability cleared');

  // What HA would read after its restart: nothing retained of the old name.
  const deadline = Date.now() + 10_000;
  while (JSON.parse(readFileSync(path.join(stateDir, PUBLISHED_FILE_NAME), 'utf8')).published.length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const late = await MqttProbe.connect(broker.url, [`homeassistant/+/${oldId}/+/config`, `${oldBase}/#`, `homeassistant/+/${newId}/+/config`]);
  t.after(() => late.close());
  await late.waitFor((m) => m.topic.includes(`/${newId}/`), 0, undefined, 'the new configs');
  await new Promise((r) => setTimeout(r, 300));
  const leftovers = late.messages.filter((m) => m.text !== '' && (m.topic.includes(`/${oldId}/`) || m.topic.startsWith(`${oldBase}/`)));
  assert.deepEqual(leftovers.map((m) => m.topic), [], 'no retained config, availability or state of the old name');
  const record = JSON.parse(readFileSync(path.join(stateDir, PUBLISHED_FILE_NAME), 'utf8')) as { published: Array<{ device_ids: string[]; base_topic: string }> };
  assert.deepEqual(record.published.map((p) => p.base_topic), ['speech-satellite/living-room'], 'only the current identity is remembered once the old one is gone');
});

test('Home Assistant coming online makes the device re-send discovery; a broker restart brings a reconnect and republish', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  t.after(() => broker.stop());
  const daemon = await startTestDaemon(mqttConfig('Birth Test', broker));
  t.after(() => daemon.stop());
  const deviceId = discoveryPrefixFor('Birth Test');
  const probe = await MqttProbe.connect(broker.url, ['homeassistant/#', 'speech-satellite/birth-test/#']);
  t.after(() => probe.close());
  const restartTopic = `homeassistant/button/${deviceId}/restart/config`;
  await probe.waitFor((m) => m.topic === restartTopic);
  await probe.waitForText('speech-satellite/birth-test/availability', 'online');

  let mark = probe.mark();
  await probe.publish('homeassistant/status', 'online');
  const again = await probe.waitFor((m) => m.topic === restartTopic && !m.retain, mark, undefined, 'discovery re-sent after HA birth');
  assert.equal((JSON.parse(again.text) as Record<string, any>)['unique_id'], `${deviceId}_restart`);
  await probe.waitFor((m) => m.topic === 'speech-satellite/birth-test/state', mark, undefined, 'state re-sent after discovery');

  // The broker goes away (losing every retained message) and comes back.
  await broker.stop();
  await broker.resume();
  mark = probe.mark();
  await probe.waitForText('speech-satellite/birth-test/availability', 'online', mark);
  await probe.waitFor((m) => m.topic === restartTopic && m.text !== '', mark, undefined, 'discovery republished after reconnect');
  assert.ok(daemon.logs.some((l) => l.includes('connected to MQTT broker') && l.includes('"reconnect":true')));
});

test('a broker that refuses the password gives a clear error while Wyoming keeps serving; the right one from a file connects', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const secret = 'correct-horse-battery';
  const broker = await Broker.start({ satellite: secret });
  t.after(() => broker.stop());

  const wrong: TestDaemon = await startTestDaemon(mqttConfig('Wrong Pass', broker, { username: 'satellite', password: 'not-the-password' }));
  t.after(() => wrong.stop());
  const deadline = Date.now() + 10_000;
  while (!wrong.logs.some((l) => l.includes('SAT_ERR_MQTT_AUTH')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const authLine = wrong.logs.find((l) => l.includes('SAT_ERR_MQTT_AUTH'));
  assert.ok(authLine, 'a coded authentication error is logged');
  assert.match(JSON.parse(authLine).msg, /refused the credentials/);
  assert.equal(JSON.parse(authLine).level, 'error');
  assert.ok(!wrong.logs.some((l) => l.includes('not-the-password')), 'the password is never logged');
  const client = await WyomingTestClient.connect(wrong.providerPort);
  client.send('describe', {});
  await client.waitForType('info');
  client.close();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-pass-'));
  const passwordFile = path.join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${secret}\n`, { mode: 0o600 });
  const right = await startTestDaemon(mqttConfig('Right Pass', broker, { username: 'satellite', password_file: passwordFile }));
  t.after(() => right.stop());
  const probe = await MqttProbe.connect(broker.url, ['speech-satellite/right-pass/availability'], { username: 'satellite', password: secret });
  t.after(() => probe.close());
  await probe.waitForText('speech-satellite/right-pass/availability', 'online');
  assert.ok(!right.logs.some((l) => l.includes(secret)), 'the password from the file is never logged');
});

test('invalid commands are reported on the response topic and nothing crashes', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  t.after(() => broker.stop());
  const daemon = await startTestDaemon(mqttConfig('Command Test', broker));
  t.after(() => daemon.stop());
  const base = 'speech-satellite/command-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`]);
  t.after(() => probe.close());
  await probe.waitForText(`${base}/availability`, 'online');

  const cases: Array<[string, string, string]> = [
    ['command', '{"command": "mute", ', 'SAT_ERR_MQTT_BAD_JSON'],
    ['command', '{"command": "dance", "transaction": "t-2"}', 'SAT_ERR_MQTT_UNKNOWN_COMMAND'],
    ['mute/set', 'ON', 'SAT_ERR_MQTT_NO_SATELLITE'],
    ['volume/set', '250', 'SAT_ERR_MQTT_NO_SATELLITE'],
  ];
  for (const [topic, payload, code] of cases) {
    const mark = probe.mark();
    await probe.publish(`${base}/${topic}`, payload);
    const reply = await probe.waitFor((m) => m.topic === `${base}/response`, mark, undefined, `response to ${topic}`);
    const body = JSON.parse(reply.text) as Record<string, any>;
    assert.equal(body['status'], 'error');
    assert.equal(body['error'].code, code);
    assert.ok(body['error'].message.length > 0);
    if (payload.includes('t-2')) assert.equal(body['transaction'], 't-2');
    assert.ok(daemon.logs.some((l) => l.includes(code)), `${code} is logged`);
  }
  const client = await WyomingTestClient.connect(daemon.providerPort);
  client.send('describe', {});
  await client.waitForType('info');
  client.close();
});
