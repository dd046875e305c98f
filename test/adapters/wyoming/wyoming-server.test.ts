import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WyomingServer, type EndpointOptions } from '../../../src/adapters/wyoming/wyoming-server.js';
import { buildInfo } from '../../../src/wyoming/info.js';
import { DEFAULT_FRAME_LIMITS } from '../../../src/wyoming/frame.js';
import { createLogger } from '../../../src/util/logger.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';

const silent = createLogger({ level: 'silent' });
const INFO = buildInfo({
  tts: [
    {
      name: 'test-tts',
      description: 'test',
      version: '1',
      attribution: { name: 'x', url: '' },
      supportsSynthesizeStreaming: true,
      voices: [{ name: 'v', description: 'v', languages: ['en'], attribution: { name: 'x', url: '' }, speakers: null }],
    },
  ],
});

/** Handler events the tests use: `hold` keeps a request in flight until `release`; `slow` answers after a while. */
const SLOW_MS = 300;

async function startServer(overrides: Partial<EndpointOptions> = {}) {
  const seen: string[] = [];
  const held = new Set<number>();
  const server = new WyomingServer({
    name: 'test',
    host: '127.0.0.1',
    port: 0,
    maxConnections: 64,
    idleTimeoutMs: 0,
    limits: { ...DEFAULT_FRAME_LIMITS },
    info: () => INFO,
    createHandler: (connection) => ({
      async onEvent(event, frame) {
        seen.push(frame.type);
        if (event?.type === 'transcribe') await connection.sendEvent('transcript', { text: `echo ${event.data.language ?? ''}` });
        if (frame.type === 'hold') held.add(connection.id);
        if (frame.type === 'release') held.delete(connection.id);
        if (frame.type === 'slow') {
          held.add(connection.id);
          await new Promise((r) => setTimeout(r, SLOW_MS));
          await connection.sendEvent('transcript', { text: 'slow answer' });
          held.delete(connection.id);
        }
        if (frame.type === 'flood') {
          for (let i = 0; i < 64; i++) {
            await connection.send({ type: 'blob', data: { i }, payload: Buffer.alloc(1024 * 1024) });
            flooded++;
          }
        }
      },
      busy: () => held.has(connection.id),
    }),
    log: silent,
    ...overrides,
  });
  let flooded = 0;
  const address = await server.listen();
  return { server, port: address.port, seen, flooded: () => flooded };
}

describe('Wyoming server over real TCP', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('answers describe with the endpoint info at once', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.send('describe', {});
    const info = await client.waitForType('info');
    assert.deepEqual(info.data, INFO);
    client.close();
  });

  test('serves 50 clients at once', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const clients = await Promise.all(Array.from({ length: 50 }, () => WyomingTestClient.connect(port)));
    clients.forEach((c, i) => {
      c.send('describe', {});
      c.send('transcribe', { language: `l${i}` });
    });
    const replies = await Promise.all(clients.map((c) => c.waitForType('transcript')));
    replies.forEach((r, i) => assert.equal(r.data['text'], `echo l${i}`));
    for (const c of clients) {
      assert.ok(c.types().includes('info'));
      c.close();
    }
  });

  test('answers ping with pong copying the text, and passes the ping on to the handler', async () => {
    const { server, port, seen } = await startServer();
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.send('ping', { text: 'are you there' });
    const pong = await client.waitForType('pong');
    assert.equal(pong.data['text'], 'are you there');
    client.send('ping', { text: null });
    const second = await client.waitFor((f) => f.type === 'pong' && f.data['text'] === null);
    assert.ok(second);
    assert.ok(seen.includes('ping'));
    client.close();
  });

  test('ignores unknown event types and keeps the connection open', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.sendFrame({ type: 'something-from-the-future', data: { a: 1 } });
    client.send('describe', {});
    await client.waitForType('info');
    assert.equal(client.closed, false);
    assert.ok(!client.types().includes('error'));
    client.close();
  });

  test('a client sending garbage gets an error event and is closed while another keeps working', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const good = await WyomingTestClient.connect(port);
    const bad = await WyomingTestClient.connect(port);
    bad.writeRaw('this is not json\n');
    const error = await bad.waitForType('error');
    assert.equal(error.data['code'], 'WY_ERR_BAD_HEADER_JSON');
    await bad.waitClosed();
    good.send('transcribe', { language: 'en' });
    assert.equal((await good.waitForType('transcript')).data['text'], 'echo en');
    good.close();
  });

  test('an oversized header closes only that connection', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const good = await WyomingTestClient.connect(port);
    const bad = await WyomingTestClient.connect(port);
    bad.writeRaw(`{"type": "describe", "data": {"x": "${'y'.repeat(70 * 1024)}"}}\n`);
    assert.equal((await bad.waitForType('error')).data['code'], 'WY_ERR_HEADER_TOO_LARGE');
    await bad.waitClosed();
    good.send('describe', {});
    await good.waitForType('info');
    assert.equal(good.closed, false);
    good.close();
  });

  test('an event with invalid data is a coded protocol error', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.sendFrame({ type: 'audio-chunk', data: { rate: 'fast', width: 2, channels: 1 } });
    assert.equal((await client.waitForType('error')).data['code'], 'WY_ERR_BAD_EVENT_DATA');
    await client.waitClosed();
  });

  test('closes a client that stays idle past the timeout', async () => {
    const { server, port } = await startServer({ idleTimeoutMs: 300 });
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.send('describe', {});
    await client.waitForType('info');
    await client.waitClosed(5_000);
    assert.equal(client.frames.at(-1)?.data['code'], 'WY_ERR_IDLE_TIMEOUT');
  });

  test('when full, the oldest idle connection makes room for a newcomer; with every connection busy the newcomer is refused', async () => {
    const { server, port } = await startServer({ maxConnections: 2 });
    cleanups.push(() => server.close());
    const a = await WyomingTestClient.connect(port);
    const b = await WyomingTestClient.connect(port);
    a.send('describe', {});
    await a.waitForType('info');
    b.send('describe', {});
    await b.waitForType('info');
    const c = await WyomingTestClient.connect(port);
    assert.equal((await a.waitForType('error')).data['code'], 'WY_ERR_CONNECTION_EVICTED');
    await a.waitClosed();
    c.send('describe', {});
    await c.waitForType('info');
    b.sendFrame({ type: 'hold', data: {} });
    c.sendFrame({ type: 'hold', data: {} });
    b.send('describe', {});
    c.send('describe', {});
    await b.waitFor((f) => f.type === 'info', 5000, 1);
    await c.waitFor((f) => f.type === 'info', 5000, 1);
    const d = await WyomingTestClient.connect(port);
    assert.equal((await d.waitForType('error')).data['code'], 'WY_ERR_TOO_MANY_CONNECTIONS');
    await d.waitClosed();
    assert.equal(b.closed || c.closed, false);
    b.close();
    c.close();
  });

  test('one address cannot hold more than its share of slots, and other addresses are still served', async () => {
    const { server, port } = await startServer({ maxConnections: 8, maxConnectionsPerPeer: 3 });
    cleanups.push(() => server.close());
    const mine = await Promise.all([0, 1, 2].map(() => WyomingTestClient.connect(port, '127.0.0.1', '127.0.0.9')));
    for (const c of mine) c.sendFrame({ type: 'hold', data: {} });
    await new Promise((r) => setTimeout(r, 100));
    const fourth = await WyomingTestClient.connect(port, '127.0.0.1', '127.0.0.9');
    const refusal = await fourth.waitForType('error');
    assert.equal(refusal.data['code'], 'WY_ERR_TOO_MANY_CONNECTIONS');
    assert.match(String(refusal.data['text']), /127\.0\.0\.9/);
    const other = await WyomingTestClient.connect(port, '127.0.0.1', '127.0.0.10');
    other.send('describe', {});
    await other.waitForType('info');
    for (const c of [...mine, other]) c.close();
  });

  test('64 peers trickling one byte a second cannot lock out a fresh describe from another address', async () => {
    const { server, port } = await startServer({ maxConnections: 64, maxConnectionsPerPeer: 32, frameTimeoutMs: 60_000 });
    cleanups.push(() => server.close());
    const header = Buffer.from('{"type": "describe", "data_length": 0}\n');
    const slow = await Promise.all(Array.from({ length: 64 }, (_, i) => WyomingTestClient.connect(port, '127.0.0.1', `127.0.1.${i + 1}`)));
    let sent = 0;
    const trickle = setInterval(() => {
      for (const c of slow) if (!c.closed) c.writeRaw(header.subarray(sent, sent + 1));
      sent++;
    }, 1000);
    cleanups.push(() => clearInterval(trickle));
    slow.forEach((c) => c.writeRaw(header.subarray(0, 1)));
    await new Promise((r) => setTimeout(r, 1500)); // long enough for their frames to count as stalled
    const answered: number[] = [];
    for (let i = 0; i < 20; i++) {
      const fresh = await WyomingTestClient.connect(port, '127.0.0.1', '127.0.2.1');
      fresh.send('describe', {});
      await fresh.waitForType('info');
      answered.push(i);
      fresh.close();
    }
    clearInterval(trickle);
    assert.equal(answered.length, 20);
    const evicted = slow.filter((c) => c.frames.some((f) => f.data['code'] === 'WY_ERR_CONNECTION_EVICTED'));
    assert.ok(evicted.length >= 1 && evicted.length <= 20, `${evicted.length} slow peers evicted`);
    for (const c of slow) c.close();
  });

  test('a frame left unfinished past the deadline closes the connection with a coded error', async () => {
    const { server, port } = await startServer({ frameTimeoutMs: 300 });
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.writeRaw('{"type": "desc');
    await client.waitClosed(5_000);
    assert.equal(client.frames.at(-1)?.data['code'], 'WY_ERR_FRAME_TIMEOUT');
    const whole = await WyomingTestClient.connect(port);
    whole.writeRaw('{"type": "desc');
    await new Promise((r) => setTimeout(r, 150));
    whole.writeRaw('ribe"}\n');
    await new Promise((r) => setTimeout(r, 400));
    whole.send('describe', {});
    await whole.waitFor((f) => f.type === 'info', 5000, 1);
    assert.equal(whole.closed, false);
    whole.close();
  });

  test('frames that arrived whole before a malformed one are answered first, then the error', async () => {
    const { server, port } = await startServer();
    cleanups.push(() => server.close());
    const client = await WyomingTestClient.connect(port);
    client.writeRaw('{"type": "describe"}\n{not json}\n');
    await client.waitClosed();
    assert.deepEqual(client.types(), ['info', 'error']);
    assert.equal(client.frames[1]!.data['code'], 'WY_ERR_BAD_HEADER_JSON');
  });

  test('after a protocol error, what the peer keeps sending is ignored and logged once', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', destination: { write: (line: string) => void lines.push(line) } });
    const { server, port } = await startServer({ log });
    cleanups.push(() => server.close());
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.on('error', () => undefined);
    socket.resume(); // read (and drop) the error event so the server's end is seen
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('{"type": "ping", "data": {"text": 5}}\n');
    for (let i = 0; i < 50; i++) {
      socket.write('{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}, "payload_length": 2}\n\u0000\u0000');
      await new Promise((r) => setTimeout(r, 5));
    }
    await closed;
    const warnings = lines.map((l) => JSON.parse(l) as { level: number | string }).filter((l) => l.level === 'warn' || Number(l.level) >= 40);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.ok(!lines.some((l) => l.includes('"stack"')), 'a peer\'s malformed frame is not logged with a stack');
  });

  test('shutdown lets a request in flight finish, tells a peer whose request outlasts the drain why, and closes idle peers at once', async () => {
    const { server, port } = await startServer();
    const idle = await WyomingTestClient.connect(port);
    idle.send('describe', {});
    await idle.waitForType('info');
    const finishing = await WyomingTestClient.connect(port);
    const stuck = await WyomingTestClient.connect(port);
    stuck.sendFrame({ type: 'hold', data: {} });
    finishing.sendFrame({ type: 'slow', data: {} });
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    await idle.waitClosed(1_000);
    assert.deepEqual(idle.types(), ['info']);
    await finishing.waitClosed(2_000);
    assert.deepEqual(finishing.types(), ['transcript']);
    await closing;
    await stuck.waitClosed();
    assert.equal(stuck.frames.at(-1)?.data['code'], 'SAT_ERR_SHUTTING_DOWN');
  });

  test('waits for the peer to read instead of buffering without bound', async () => {
    const { server, port, flooded } = await startServer();
    cleanups.push(() => server.close());
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write('{"type": "flood"}\n');
    await new Promise((r) => setTimeout(r, 500));
    const whilePaused = flooded();
    assert.ok(whilePaused < 64, `server wrote all ${whilePaused} MiB frames to a peer that reads nothing`);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    while (flooded() < 64) await new Promise((r) => setTimeout(r, 20));
    while (received < 64 * 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
  });
});
