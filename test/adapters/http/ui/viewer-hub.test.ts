/**
 * The hub of watching browsers, on real HTTP responses: every viewer gets the snapshot then each
 * event, serialised once; one viewer too many is refused with a code; a viewer that stops reading
 * loses the lossy events first and is closed once even the events that matter no longer fit; the
 * feed is told when the first viewer comes and the last one goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ViewerHub, sseFrame, type LiveEvent } from '../../../../src/adapters/http/ui/viewer-hub.js';
import { errorCode } from '../../../../src/util/errors.js';
import { createLogger } from '../../../../src/util/logger.js';

const log = createLogger({ level: 'silent' });

/** A server whose every request becomes a viewer of `hub` (or is answered 503 with the refusal's code). */
async function serve(hub: ViewerHub, first: LiveEvent[]): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res: ServerResponse) => {
    try {
      hub.add(res, first);
    } catch (err) {
      res.writeHead(503).end(errorCode(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads a viewer's stream until `until` holds for what arrived. */
async function read(port: number, until: (text: string) => boolean): Promise<{ text: string; status: number; abort(): void }> {
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
  if (!response.ok) return { text: await response.text(), status: response.status, abort: () => abort.abort() };
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return { text, status: response.status, abort: () => abort.abort() };
}

test('every viewer gets the snapshot and then each event; one viewer too many is refused with SAT_ERR_WEB_TOO_MANY_VIEWERS', async () => {
  const watching: boolean[] = [];
  const hub = new ViewerHub({ maxViewers: 2, maxBufferedBytes: 64 * 1024, log, onWatching: (on) => watching.push(on) });
  const server = await serve(hub, [{ type: 'snapshot', data: { hello: 1 } }]);
  try {
    const a = await read(server.port, (t) => t.includes('snapshot'));
    const b = await read(server.port, (t) => t.includes('snapshot'));
    assert.equal(hub.counts.viewers, 2);
    assert.deepEqual(watching, [true]);
    const third = await read(server.port, () => false);
    assert.equal(third.status, 503);
    assert.equal(third.text, 'SAT_ERR_WEB_TOO_MANY_VIEWERS');
    hub.broadcast({ type: 'caption', data: { text: 'line one\nline two' } });
    const frame = sseFrame({ type: 'caption', data: { text: 'line one\nline two' } });
    assert.equal(frame.split('\n').filter((l) => l.startsWith('data:')).length, 1, 'a newline in the text stays inside one data line');
    a.abort();
    b.abort();
    await until(() => hub.counts.viewers === 0);
    assert.deepEqual(watching, [true, false], 'the feed hears when the last viewer left');
  } finally {
    hub.close();
    await server.close();
  }
});

test('a viewer that stops reading loses lossy events, then is closed when what matters no longer fits', async () => {
  const hub = new ViewerHub({ maxViewers: 4, maxBufferedBytes: 256 * 1024, log });
  const server = await serve(hub, [{ type: 'snapshot', data: {} }]);
  // A raw socket that never reads: the server's writes pile up in its buffers, then in the response.
  const socket = net.connect(server.port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause();
  try {
    await until(() => hub.counts.viewers === 1);
    const big = 'x'.repeat(8 * 1024);
    for (let i = 0; i < 400 && hub.counts.viewers === 1; i++) {
      hub.broadcast({ type: 'level', data: { big }, lossy: true });
      hub.broadcast({ type: 'caption', data: { big } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(hub.counts.skipped > 0, 'lossy events were skipped for the lagging viewer');
    assert.equal(hub.counts.closedSlow, 1, 'the lagging viewer was closed');
    assert.equal(hub.counts.viewers, 0);
  } finally {
    socket.destroy();
    hub.close();
    await server.close();
  }
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
