/**
 * Closing the shim while requests run, over real HTTP on port 0 with in-process engines: a request
 * that finishes within the drain window is answered in full; one still running after it gets a 503
 * `shutting_down` envelope and its engine session is cancelled; streamed responses end cleanly; a
 * request arriving while the server drains gets the 503 with `Connection: close`. What the server
 * records for each request is the status the client got.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeWav } from '../../../src/audio/wav.js';
import { SHUTDOWN_DRAIN_MS, SHUTDOWN_FLUSH_MS } from '../../../src/adapters/http/http-server.js';
import { SHUTDOWN_TIMEOUT_MS } from '../../../src/util/lifecycle.js';
import { registry, SlowAsr, ToneTts } from './fake-engines.js';
import { multipart, startShim } from './shim-harness.js';

/** Drain window used here: long enough for the slow engine's short sessions, short for the tests. */
const DRAIN_MS = 300;

type Outcome = { status: number; headers: http.IncomingHttpHeaders; body: string } | { error: string };

/** One request on its own connection; a reset or a cut response is an `error` outcome, never a throw. */
function send(url: string, init: { method: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent: false });
    req.on('error', (err) => resolve({ error: err.message }));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (err) => resolve({ error: `response cut: ${err.message}` }));
    });
    req.end(init.body);
  });
}

function transcribe(url: string, fields: Record<string, string> = {}): Promise<Outcome> {
  const wav = encodeWav(Buffer.alloc(16000 * 2), { rate: 16000, width: 2, channels: 1 });
  const { body, contentType } = multipart(fields, { name: 'a.wav', data: wav });
  return send(`${url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
}

function answered(outcome: Outcome): { status: number; headers: http.IncomingHttpHeaders; body: string } {
  if ('error' in outcome) assert.fail(`the client got no complete answer: ${outcome.error}`);
  return outcome;
}

function shutdownEnvelope(body: string): void {
  const error = (JSON.parse(body) as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(error['code'], 'shutting_down');
  assert.equal(error['type'], 'server_error');
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  assert.ok(condition(), 'condition not reached');
}

describe('OpenAI shim at shutdown', () => {
  test("the drain window and the flush fit well inside the daemon's shutdown bound", () => {
    // The other parts (engines, MQTT, mDNS) stop after the shim, within the same bound.
    assert.ok(SHUTDOWN_DRAIN_MS + SHUTDOWN_FLUSH_MS <= SHUTDOWN_TIMEOUT_MS / 2, `${SHUTDOWN_DRAIN_MS} + ${SHUTDOWN_FLUSH_MS} ms`);
  });

  test('a request that finishes within the drain window is answered in full', async () => {
    const asr = new SlowAsr('slow', 0.1);
    const shim = await startShim({}, registry([asr]));
    const pending = transcribe(shim.url);
    await until(() => asr.sessions.length === 1);
    await shim.close(5_000);
    const res = answered(await pending);
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { text: string }).text, 'still listening');
    assert.equal(asr.cancelled, 0);
    assert.deepEqual(shim.records.map((r) => [r.route, r.status, r.completed]), [['transcriptions', 200, true]]);
  });

  test('a request still running after the drain window gets 503 shutting_down and its engine session is cancelled', async () => {
    const asr = new SlowAsr('slow', 60);
    const shim = await startShim({}, registry([asr]));
    const pending = transcribe(shim.url);
    await until(() => asr.sessions.length === 1);
    await shim.close(DRAIN_MS);
    const res = answered(await pending);
    assert.equal(res.status, 503);
    assert.equal(res.headers['connection'], 'close');
    shutdownEnvelope(res.body);
    assert.equal(asr.cancelled, 1);
    assert.deepEqual(shim.records.map((r) => [r.route, r.status, r.code, r.completed]), [['transcriptions', 503, 'shutting_down', true]]);
  });

  test('a streamed transcription running at shutdown ends with an error event instead of a cut connection', async () => {
    const asr = new SlowAsr('slow', 60);
    const shim = await startShim({}, registry([asr]));
    const pending = transcribe(shim.url, { stream: 'true' });
    await until(() => asr.sessions.length === 1);
    await shim.close(DRAIN_MS);
    const res = answered(await pending);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const last = res.body.trim().split('\n\n').at(-1)!;
    assert.match(last, /^event: error\ndata: /);
    const event = JSON.parse(last.slice(last.indexOf('data: ') + 6)) as { type: string; error: { code: string } };
    assert.equal(event.type, 'error');
    assert.equal(event.error.code, 'shutting_down');
    assert.equal(asr.cancelled, 1);
    assert.deepEqual(shim.records.map((r) => [r.status, r.completed]), [[200, true]]);
  });

  test('speech being streamed at shutdown is ended cleanly, not reset', async () => {
    const tts = new ToneTts(22050, { tickMs: 10 });
    const shim = await startShim({}, registry(undefined, [tts]));
    const body = JSON.stringify({ input: 'x'.repeat(4000), response_format: 'pcm' });
    const pending = send(`${shim.url}/v1/audio/speech`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    await until(() => tts.requests.length === 1);
    await sleep(50);
    await shim.close(DRAIN_MS);
    const res = answered(await pending);
    assert.equal(res.status, 200);
    // Cut short (4000 characters would be 400 s of audio), but a complete chunked response.
    assert.ok(res.body.length > 0 && res.body.length < 400 * 24000 * 2, `${res.body.length} bytes`);
    assert.ok(tts.requests[0]!.signal?.aborted, 'the synthesis was cancelled');
    assert.deepEqual(shim.records.map((r) => [r.status, r.completed]), [[200, true]]);
  });

  test('a request arriving while the server drains gets 503 shutting_down with Connection: close', async () => {
    const asr = new SlowAsr('slow', 60);
    const shim = await startShim({}, registry([asr]));
    const running = transcribe(shim.url);
    await until(() => asr.sessions.length === 1);
    // A connection that has begun its request before the close is not idle, so it stays open.
    const socket = net.connect(Number(new URL(shim.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await sleep(50);
    const closing = shim.close(500);
    await sleep(50);
    socket.write('\r\n');
    await ended;
    assert.match(received, /^HTTP\/1\.1 503 /);
    assert.match(received, /\r\nConnection: close\r\n/i);
    shutdownEnvelope(received.slice(received.indexOf('\r\n\r\n') + 4));
    await closing;
    assert.equal(answered(await running).status, 503);
    assert.deepEqual(shim.records.map((r) => [r.route, r.status]).sort(), [['health', 503], ['transcriptions', 503]]);
  });
});
