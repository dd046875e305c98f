/**
 * Availability as Home Assistant sees it when the daemon process ends: `offline` published on
 * SIGTERM, by the broker's last will after `kill -9`, and before the exit of a restart command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { need } from '../../helpers/system.js';
import { Broker, MOSQUITTO, MqttProbe } from './broker.js';
import { DaemonProcess } from '../../helpers/daemon-process.js';

/** Short keep-alive so the broker notices a killed client quickly (it sends the will then). */
const KEEPALIVE_S = 5;

function start(name: string, broker: Broker): DaemonProcess {
  return DaemonProcess.start({
    config: { name, provider: { host: '127.0.0.1', port: 0 }, mdns: { enabled: false }, models: { auto_pull: false }, mqtt: { url: broker.url, keepalive_s: KEEPALIVE_S } },
  });
}

test('availability is online while running and offline after SIGTERM or kill -9 (last will)', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const probe = await MqttProbe.connect(broker.url, ['speech-satellite/+/availability']);
  const daemons: DaemonProcess[] = [];
  t.after(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    await probe.close();
    await broker.stop();
  });

  const gentle = start('Term Test', broker);
  daemons.push(gentle);
  const topic = 'speech-satellite/term-test/availability';
  await probe.waitForText(topic, 'online');
  let mark = probe.mark();
  const exit = await gentle.stop('SIGTERM');
  assert.equal(exit.code, 0);
  await probe.waitForText(topic, 'offline', mark);
  assert.ok(gentle.lines.some((l) => l.msg === 'published offline and disconnected from MQTT broker'));

  const killed = start('Kill Test', broker);
  daemons.push(killed);
  const killTopic = 'speech-satellite/kill-test/availability';
  await probe.waitForText(killTopic, 'online');
  mark = probe.mark();
  await killed.stop('SIGKILL');
  // The broker publishes the will when it sees the TCP connection drop.
  await probe.waitForText(killTopic, 'offline', mark);
  const late = await MqttProbe.connect(broker.url, [killTopic]);
  const retained = await late.waitFor((m) => m.topic === killTopic);
  await late.close();
  assert.deepEqual([retained.text, retained.retain], ['offline', true], 'the will is retained');
});

test('the restart command answers, goes offline and exits non-zero so the service manager restarts it', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const base = 'speech-satellite/restart-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`]);
  const daemon = start('Restart Test', broker);
  t.after(async () => {
    await daemon.stop('SIGKILL');
    await probe.close();
    await broker.stop();
  });
  await probe.waitForText(`${base}/availability`, 'online');
  const mark = probe.mark();
  await probe.publish(`${base}/restart`, 'PRESS');
  const exit = await daemon.exited;
  assert.equal(exit.code, 75);
  const reply = await probe.waitFor((m) => m.topic === `${base}/response`, mark);
  assert.deepEqual(JSON.parse(reply.text), { command: 'restart', status: 'ok' });
  await probe.waitForText(`${base}/availability`, 'offline', mark);
});

test('a retained restart command is ignored, so it cannot cause a restart loop', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const base = 'speech-satellite/retained-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/availability`]);
  await probe.publish(`${base}/restart`, 'PRESS', true);
  const daemon = start('Retained Test', broker);
  t.after(async () => {
    await daemon.stop('SIGKILL');
    await probe.publish(`${base}/restart`, '', true);
    await probe.close();
    await broker.stop();
  });
  await probe.waitForText(`${base}/availability`, 'online');
  await daemon.waitForLog((l) => l.msg === 'ignoring a retained MQTT command; commands must not be retained');
  assert.ok(daemon.running, 'still running');
});

test('the broker password can come from SATELLITE_MQTT__PASSWORD and is never logged', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const secret = 'env-only-secret-42';
  const broker = await Broker.start({ satellite: secret });
  const topic = 'speech-satellite/env-pass/availability';
  const probe = await MqttProbe.connect(broker.url, [topic], { username: 'satellite', password: secret });
  const daemon = DaemonProcess.start({
    config: { name: 'Env Pass', provider: { host: '127.0.0.1', port: 0 }, mdns: { enabled: false }, models: { auto_pull: false }, mqtt: { url: broker.url, username: 'satellite' } },
    env: { SATELLITE_MQTT__PASSWORD: secret },
  });
  t.after(async () => {
    await daemon.stop('SIGKILL');
    await probe.close();
    await broker.stop();
  });
  await probe.waitForText(topic, 'online');
  await daemon.stop('SIGTERM');
  assert.ok(daemon.raw.length > 0);
  assert.ok(!daemon.raw.some((l) => l.includes(secret)), 'the password appears in no log line');
});
