/**
 * Telling retained commands from live ones on a real mosquitto, under both protocol versions:
 * what the broker does to the RETAIN flag, and the check the bridge uses where the flag says
 * nothing (MQTT 3.1.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { need } from '../../helpers/system.js';
import { RetainedReplayCheck } from '../../../src/adapters/mqtt/retained.js';
import { Broker, MOSQUITTO, MqttProbe } from './broker.js';

const TOPIC = 'speech-satellite/retained-check/restart';

async function subscriber(url: string, protocolVersion: 4 | 5, rap: boolean) {
  const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0, connectTimeout: 5000 });
  const seen: Array<{ text: string; retain: boolean }> = [];
  const check = new RetainedReplayCheck(async (topic) => void (await client.subscribeAsync(topic, { qos: 1 })));
  client.on('message', (topic, payload, packet) => {
    if (check.observe(topic, payload, packet.retain)) return;
    seen.push({ text: payload.toString('utf8'), retain: packet.retain });
  });
  await client.subscribeAsync(TOPIC, protocolVersion === 5 ? { qos: 1, rap } : { qos: 1 });
  return { client, seen, check };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('MQTT 3.1.1 clears the RETAIN flag for a connected subscriber, MQTT 5 keeps it with retain-as-published, and the broker-store check tells retained from live under 3.1.1', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const publisher = await MqttProbe.connect(broker.url, []);
  const v4 = await subscriber(broker.url, 4, false);
  const v5 = await subscriber(broker.url, 5, true);
  t.after(async () => {
    await v4.client.endAsync(true);
    await v5.client.endAsync(true);
    await publisher.close();
    await broker.stop();
  });

  // A retained PRESS while both are connected.
  await publisher.publish(TOPIC, 'PRESS', true);
  await until('both to get it', () => v4.seen.length === 1 && v5.seen.length === 1);
  assert.deepEqual(v4.seen[0], { text: 'PRESS', retain: false }, '3.1.1: it looks live');
  assert.deepEqual(v5.seen[0], { text: 'PRESS', retain: true }, '5 with retain-as-published: it is marked retained');
  assert.equal(await v4.check.isRetained(TOPIC, Buffer.from('PRESS')), true, 'the broker still retains it');

  // The empty retained message that clears it: 3.1.1 again shows it as live.
  await publisher.publish(TOPIC, '', true);
  await until('the clearing', () => v4.seen.length === 2 && v5.seen.length === 2);
  assert.deepEqual(v4.seen[1], { text: '', retain: false });
  assert.deepEqual(v5.seen[1], { text: '', retain: true });

  // A live PRESS: not retained anywhere.
  await publisher.publish(TOPIC, 'PRESS', false);
  await until('the live one', () => v4.seen.length === 3 && v5.seen.length === 3);
  assert.deepEqual(v5.seen[2], { text: 'PRESS', retain: false });
  assert.equal(await v4.check.isRetained(TOPIC, Buffer.from('PRESS')), false, 'nothing retained: it was live');
});
