import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WyomingServer, type EndpointOptions } from '../../src/adapters/wyoming-server.js';
import { buildInfo } from '../../src/wyoming/info.js';
import { DEFAULT_FRAME_LIMITS } from '../../src/wyoming/frame.js';
import { createLogger } from '../../src/util/logger.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';

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

async function startServer(overrides: Partial<EndpointOptions> = {}) {
  const seen: string[] = [];
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
        if (frame.type === 'flood') {
          for (let i = 0; i < 64; i++) {
            await connection.send({ type: 'blob', data: { i }, payload: Buffer.alloc(1024 * 1024) });
            flooded++;
          }
        }
      },
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

  test('refuses connections beyond the limit with a coded error', async () => {
    const { server, port } = await startServer({ maxConnections: 2 });
    cleanups.push(() => server.close());
    const a = await WyomingTestClient.connect(port);
    const b = await WyomingTestClient.connect(port);
    a.send('describe', {});
    b.send('describe', {});
    await a.waitForType('info');
    await b.waitForType('info');
    const c = await WyomingTestClient.connect(port);
    assert.equal((await c.waitForType('error')).data['code'], 'WY_ERR_TOO_MANY_CONNECTIONS');
    await c.waitClosed();
    a.send('describe', {});
    await a.waitFor((f) => f.type === 'info', 5000, 1);
    a.close();
    b.close();
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
