/**
 * Who controls the satellite, over real TCP: one owner, `describe` for anyone, refused second
 * owners, replacement of a dead owner, and the keep-alive that drops a silent Home Assistant.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SatelliteLink, type LinkListener } from '../../src/adapters/satellite-link.js';
import { WyomingServer } from '../../src/adapters/wyoming-server.js';
import { DEFAULT_FRAME_LIMITS } from '../../src/wyoming/frame.js';
import { buildInfo } from '../../src/wyoming/info.js';
import { createLogger } from '../../src/util/logger.js';
import { startTestDaemon } from '../helpers/daemon.js';
import { need } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';
import { makeFileDevices, silence } from './audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

const log = createLogger({ level: 'silent' });
const FAST = { pingEveryMs: 100, silenceMs: 400 };

async function linkServer() {
  const seen: string[] = [];
  const listener: LinkListener = {
    onConnected: () => seen.push('connected'),
    onDisconnected: () => seen.push('disconnected'),
    onEvent: (event) => seen.push(event.type),
  };
  const link = new SatelliteLink(listener, log, FAST);
  const info = buildInfo({ satellite: { name: 'test', description: 'd', version: '1', attribution: { name: '', url: '' }, area: null, hasVad: false, activeWakeWords: [], maxActiveWakeWords: 1, supportsTrigger: false } });
  const server = new WyomingServer({
    name: 'satellite',
    host: '127.0.0.1',
    port: 0,
    maxConnections: 8,
    idleTimeoutMs: 0,
    limits: DEFAULT_FRAME_LIMITS,
    info: () => info,
    createHandler: (c) => link.handler(c),
    log,
  });
  const { port } = await server.listen();
  return { seen, link, server, port };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('satellite link', () => {
  test('a second would-be owner is refused with an error while the owner keeps being served', async () => {
    const { seen, link, server, port } = await linkServer();
    const a = await WyomingTestClient.connect(port);
    const b = await WyomingTestClient.connect(port);
    try {
      a.send('run-satellite', {});
      while (!seen.includes('run-satellite')) await sleep(10);
      b.send('run-satellite', {});
      const refused = await b.waitForType('error', 2_000);
      assert.equal(refused.data['code'], 'SAT_ERR_SATELLITE_BUSY');
      await b.waitClosed(2_000);
      a.send('pause-satellite', {});
      while (!seen.includes('pause-satellite')) await sleep(10);
      assert.deepEqual(seen, ['connected', 'run-satellite', 'pause-satellite']);
      assert.equal(link.connected, true);
    } finally {
      a.close();
      b.close();
      link.stop();
      await server.close();
    }
  });

  test('describe and ping from another connection are answered without claiming or disturbing the owner', async () => {
    const { seen, link, server, port } = await linkServer();
    const a = await WyomingTestClient.connect(port);
    const b = await WyomingTestClient.connect(port);
    try {
      a.send('run-satellite', {});
      while (!seen.includes('run-satellite')) await sleep(10);
      b.send('describe', {});
      b.send('ping', { text: 'poll' });
      const info = await b.waitForType('info', 1_000);
      assert.equal((info.data['satellite'] as { name: string }).name, 'test');
      const pong = await b.waitForType('pong', 1_000);
      assert.equal(pong.data['text'], 'poll');
      await sleep(100);
      assert.equal(b.closed, false);
      assert.deepEqual(seen, ['connected', 'run-satellite']);
    } finally {
      a.close();
      b.close();
      link.stop();
      await server.close();
    }
  });

  test('a new connection replaces an owner that has gone silent', async () => {
    const { seen, link, server, port } = await linkServer();
    const a = await WyomingTestClient.connect(port);
    const b = await WyomingTestClient.connect(port);
    try {
      a.send('run-satellite', {});
      while (!seen.includes('run-satellite')) await sleep(10);
      await sleep(FAST.silenceMs + 100);
      b.send('run-satellite', {});
      await a.waitClosed(2_000);
      while (seen.length < 5) await sleep(10);
      assert.deepEqual(seen, ['connected', 'run-satellite', 'disconnected', 'connected', 'run-satellite']);
      assert.equal(b.closed, false);
    } finally {
      a.close();
      b.close();
      link.stop();
      await server.close();
    }
  });

  test('once the owner has pinged, the satellite pings it and drops it when it falls silent', async () => {
    const { seen, link, server, port } = await linkServer();
    const a = await WyomingTestClient.connect(port);
    try {
      a.send('run-satellite', {});
      a.send('ping', { text: null });
      await a.waitForType('pong', 1_000);
      // Answer the satellite's pings for a while: the link stays up.
      let answered = 0;
      const deadline = Date.now() + FAST.silenceMs * 3;
      while (Date.now() < deadline) {
        const pings = a.frames.filter((f) => f.type === 'ping');
        for (const ping of pings.slice(answered)) a.send('pong', { text: (ping.data['text'] as string) ?? null });
        answered = pings.length;
        await sleep(20);
      }
      assert.ok(answered >= 3, `the satellite pinged (${answered})`);
      assert.equal(a.closed, false);
      // Now stop answering: dropped.
      await a.waitClosed(FAST.silenceMs * 4);
      assert.deepEqual(seen, ['connected', 'run-satellite', 'disconnected']);
    } finally {
      a.close();
      link.stop();
      await server.close();
    }
  });
});

describe('satellite link in the daemon', () => {
  const devices = makeFileDevices(silence(1));
  after(() => devices.cleanup());

  test('a Home Assistant that falls silent is dropped after 5 s, and a reconnect works', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const daemon = await startTestDaemon(satelliteConfig(devices));
    const connections: boolean[] = [];
    daemon.context.bus.on('ha-connection', 'test', (e) => connections.push(e.connected));
    try {
      const first = await FakeHomeAssistant.connect(daemon.satellitePort!);
      await first.waitForType('pong', 5_000);
      assert.equal(daemon.context.satellite?.state, 'idle');
      first.goSilent();
      await first.waitClosed(8_000);
      assert.equal(daemon.context.satellite?.state, 'disconnected');
      assert.ok(daemon.logs.some((l) => l.includes('went silent')), 'the drop is logged');
      const second = await FakeHomeAssistant.connect(daemon.satellitePort!);
      await second.waitForType('info', 1_000);
      await second.waitForType('pong', 5_000);
      assert.equal(daemon.context.satellite?.state, 'idle');
      assert.deepEqual(connections, [true, false, true]);
      second.close();
    } finally {
      await daemon.stop();
    }
  });
});
