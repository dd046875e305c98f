/**
 * Who controls the satellite, over real TCP: one owner, `describe` for anyone, refused second
 * owners, replacement of a dead owner, and the keep-alive that drops a silent Home Assistant.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SatelliteLink, type LinkListener } from '../../../src/adapters/satellite/satellite-link.js';
import { WyomingServer } from '../../../src/adapters/wyoming/wyoming-server.js';
import { DEFAULT_FRAME_LIMITS } from '../../../src/wyoming/frame.js';
import { buildInfo } from '../../../src/wyoming/info.js';
import { createLogger } from '../../../src/util/logger.js';
import { need } from '../../helpers/system.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';
import { silence } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig, satelliteSuite, sleep, until } from './wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from './wyoming-satellite-ha.js';

const log = createLogger({ level: 'silent' });
const FAST = { pingEveryMs: 100, silenceMs: 400 };

/**
 * A link on a real endpoint with two clients, `a` already owning the satellite (its
 * `run-satellite` was seen) and `b` only connected; everything is closed after `body`.
 */
async function withOwner(body: (parts: { seen: string[]; link: SatelliteLink; a: WyomingTestClient; b: WyomingTestClient }) => Promise<void>): Promise<void> {
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
  const a = await WyomingTestClient.connect(port);
  const b = await WyomingTestClient.connect(port);
  try {
    a.send('run-satellite', {});
    await until('the owner is heard', () => seen.includes('run-satellite'), 2_000);
    await body({ seen, link, a, b });
  } finally {
    a.close();
    b.close();
    link.stop();
    await server.close();
  }
}

describe('satellite link', () => {
  test('a second would-be owner is refused with an error while the owner keeps being served', () =>
    withOwner(async ({ seen, link, a, b }) => {
      b.send('run-satellite', {});
      const refused = await b.waitForType('error', 2_000);
      assert.equal(refused.data['code'], 'SAT_ERR_SATELLITE_BUSY');
      await b.waitClosed(2_000);
      a.send('pause-satellite', {});
      await until('the owner is still heard', () => seen.includes('pause-satellite'), 2_000);
      assert.deepEqual(seen, ['connected', 'run-satellite', 'pause-satellite']);
      assert.equal(link.connected, true);
    }));

  test('describe and ping from another connection are answered without claiming or disturbing the owner', () =>
    withOwner(async ({ seen, b }) => {
      b.send('describe', {});
      b.send('ping', { text: 'poll' });
      const info = await b.waitForType('info', 1_000);
      assert.equal((info.data['satellite'] as { name: string }).name, 'test');
      const pong = await b.waitForType('pong', 1_000);
      assert.equal(pong.data['text'], 'poll');
      await sleep(100);
      assert.equal(b.closed, false);
      assert.deepEqual(seen, ['connected', 'run-satellite']);
    }));

  test('a new connection replaces an owner that has gone silent', () =>
    withOwner(async ({ seen, a, b }) => {
      await sleep(FAST.silenceMs + 100);
      b.send('run-satellite', {});
      await a.waitClosed(2_000);
      await until('b owns the satellite', () => seen.length >= 5, 2_000);
      assert.deepEqual(seen, ['connected', 'run-satellite', 'disconnected', 'connected', 'run-satellite']);
      assert.equal(b.closed, false);
    }));

  test('once the owner has pinged, the satellite pings it and drops it when it falls silent', () =>
    withOwner(async ({ seen, a }) => {
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
    }));
});

describe('satellite link in the daemon', () => {
  const suite = satelliteSuite(silence(1));

  test('a Home Assistant that falls silent is dropped after 5 s, and a reconnect works', async (t) => {
    if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed')) return;
    const daemon = await suite.start(satelliteConfig(suite.devices));
    const connections: boolean[] = [];
    daemon.context.bus.on('ha-connection', 'test', (e) => connections.push(e.connected));
    const first = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await first.waitForType('pong', 5_000);
    assert.equal(daemon.satellite?.state, 'idle');
    first.goSilent();
    await first.waitClosed(8_000);
    assert.equal(daemon.satellite?.state, 'disconnected');
    assert.ok(daemon.logs.some((l) => l.includes('went silent')), 'the drop is logged');
    const second = await FakeHomeAssistant.connect(daemon.satellitePort!);
    await second.waitForType('info', 1_000);
    await second.waitForType('pong', 5_000);
    assert.equal(daemon.satellite?.state, 'idle');
    assert.deepEqual(connections, [true, false, true]);
    second.close();
  });
});
