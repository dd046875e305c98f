/**
 * Availability as Home Assistant sees it when the daemon process ends: `offline` published on
 * SIGTERM, by the broker's last will after `kill -9`, and before the exit of a restart command;
 * restart only from a live PRESS under a service manager, never from a retained or cleared one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { need } from '../../helpers/system.js';
import { Broker, MOSQUITTO, MqttProbe } from './broker.js';
import { DaemonProcess } from '../../helpers/daemon-process.js';

/** Short keep-alive so the broker notices a killed client quickly (it sends the will then). */
const KEEPALIVE_S = 5;

/** Quiet after a message that must not restart the daemon, before asserting that it still runs. */
const STILL_RUNNING_MS = 1_500;

/** `supervised`: the mqtt.supervised flag (undefined: detect, with no INVOCATION_ID in the environment). */
function start(name: string, broker: Broker, supervised?: boolean, env: NodeJS.ProcessEnv = { INVOCATION_ID: undefined }): DaemonProcess {
  return DaemonProcess.start({
    config: {
      name,
      provider: { host: '127.0.0.1', port: 0 },
      mdns: { enabled: false },
      models: { auto_pull: false },
      mqtt: { url: broker.url, keepalive_s: KEEPALIVE_S, ...(supervised === undefined ? {} : { supervised }) },
    },
    env,
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

test('under a service manager the restart command answers, goes offline and exits non-zero so the service manager restarts it', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const base = 'speech-satellite/restart-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`]);
  const daemon = start('Restart Test', broker, true);
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

test('a retained restart command found at start is ignored, so it cannot cause a restart loop', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const base = 'speech-satellite/retained-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/availability`]);
  await probe.publish(`${base}/restart`, 'PRESS', true);
  const daemon = start('Retained Test', broker, true);
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

test('a retained PRESS published while the daemon is connected, and the empty retained message that clears it, restart nothing; a live PRESS then does', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const base = 'speech-satellite/live-retained-test';
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`]);
  const daemon = start('Live Retained Test', broker, true);
  t.after(async () => {
    await daemon.stop('SIGKILL');
    await probe.close();
    await broker.stop();
  });
  await probe.waitForText(`${base}/availability`, 'online');
  // Subscribed already: an MQTT 3.1.1 broker would deliver both of these with the RETAIN flag cleared.
  await probe.publish(`${base}/restart`, 'PRESS', true);
  await daemon.waitForLog((l) => l.msg === 'ignoring a retained MQTT command; commands must not be retained');
  await probe.publish(`${base}/restart`, '', true);
  await daemon.waitForLog((l) => l.msg === 'ignoring an empty MQTT command payload');
  await new Promise((r) => setTimeout(r, STILL_RUNNING_MS));
  assert.ok(daemon.running, 'still running after the retained PRESS and its clearing');
  assert.ok(!probe.messages.some((m) => m.topic === `${base}/response`), 'neither was taken as a command');

  const mark = probe.mark();
  await probe.publish(`${base}/restart`, 'PRESS');
  assert.equal((await daemon.exited).code, 75);
  const reply = await probe.waitFor((m) => m.topic === `${base}/response`, mark);
  assert.deepEqual(JSON.parse(reply.text), { command: 'restart', status: 'ok' });
});

test('without a service manager there is no restart button and a restart command is refused; systemd (INVOCATION_ID) brings the button', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  const broker = await Broker.start();
  const probe = await MqttProbe.connect(broker.url, ['homeassistant/#', 'speech-satellite/#']);
  const daemons: DaemonProcess[] = [];
  t.after(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    await probe.close();
    await broker.stop();
  });
  const base = 'speech-satellite/plain-test';
  const plain = start('Plain Test', broker);
  daemons.push(plain);
  await probe.waitFor((m) => /^homeassistant\/sensor\/[^/]+_plain_test\/version\/config$/.test(m.topic), 0, undefined, 'discovery');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!probe.messages.some((m) => /_plain_test\/restart\/config$/.test(m.topic) && m.text !== ''), 'no restart button');
  const mark = probe.mark();
  await probe.publish(`${base}/restart`, 'PRESS');
  const reply = await probe.waitFor((m) => m.topic === `${base}/response`, mark);
  assert.equal((JSON.parse(reply.text) as { error: { code: string } }).error.code, 'SAT_ERR_MQTT_NO_SUPERVISOR');
  await new Promise((r) => setTimeout(r, STILL_RUNNING_MS));
  assert.ok(plain.running, 'a restart without a service manager would only have stopped it');

  const underSystemd = start('Systemd Test', broker, undefined, { INVOCATION_ID: '0123456789abcdef0123456789abcdef' });
  daemons.push(underSystemd);
  const button = await probe.waitFor((m) => /_systemd_test\/restart\/config$/.test(m.topic) && m.text !== '', 0, undefined, 'the restart button');
  assert.equal((JSON.parse(button.text) as { payload_press: string }).payload_press, 'PRESS');
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
