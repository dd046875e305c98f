/**
 * SIGTERM to the real daemon process while the HTTP shim transcribes ten minutes of speech with
 * the shared zipformer: every client gets a complete answer (the transcript, or a 503
 * `shutting_down` envelope; a streamed transcription ends with its final or an error event), never
 * an empty reply or a reset; a request arriving during the drain gets the 503 with
 * `Connection: close`; the access log shows the status each client got; the daemon exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeWav } from '../../../src/audio/wav.js';
import { readClip, referenceClips } from '../../helpers/clips.js';
import { DaemonProcess, type LogLine } from '../../helpers/daemon-process.js';
import { need, sharedModel } from '../../helpers/system.js';
import { haveModels, ZIPFORMER_DIR } from './http-daemon.js';
import { multipart } from './shim-harness.js';

/** Audio long enough that decoding outlasts the drain window (about 10 s at the zipformer's speed). */
const LONG_AUDIO_S = 600;
/** Wait after the uploads before SIGTERM, so decoding is under way. */
const SETTLE_MS = 1_000;
/** The daemon must be gone by then (its own bound is SHUTDOWN_TIMEOUT_MS). */
const EXIT_WAIT_MS = 30_000;
const RATE = 16_000;

type Outcome = { status: number; headers: http.IncomingHttpHeaders; body: string } | { error: string };

/** The reference clips end to end, repeated to `seconds`, as one 16 kHz WAV. */
function longWav(seconds: number): Buffer {
  const pieces = referenceClips()
    .map((c) => readClip(c.file))
    .filter((w) => w.format.rate === RATE && w.format.channels === 1 && w.format.width === 2)
    .map((w) => w.pcm);
  const out: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; bytes < seconds * RATE * 2; i++) {
    const piece = pieces[i % pieces.length]!;
    out.push(piece);
    bytes += piece.length;
  }
  return encodeWav(Buffer.concat(out), { rate: RATE, width: 2, channels: 1 });
}

/** POSTs a transcription; resolves `uploaded` once the body is sent, `outcome` with the full answer or the failure. */
function transcribe(port: number, wav: Buffer, fields: Record<string, string>): { uploaded: Promise<void>; outcome: Promise<Outcome> } {
  const { body, contentType } = multipart(fields, { name: 'long.wav', data: wav });
  let uploaded!: () => void;
  const sent = new Promise<void>((resolve) => (uploaded = resolve));
  const outcome = new Promise<Outcome>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/audio/transcriptions', agent: false, headers: { 'Content-Type': contentType } });
    req.on('finish', uploaded);
    req.on('error', (err) => {
      uploaded();
      resolve({ error: err.message });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', (err) => resolve({ error: `response cut: ${err.message}` }));
    });
    req.end(body);
  });
  return { uploaded: sent, outcome };
}

function answered(label: string, outcome: Outcome): { status: number; headers: http.IncomingHttpHeaders; body: string } {
  if ('error' in outcome) assert.fail(`${label}: the client got no complete answer (${outcome.error})`);
  assert.ok(outcome.body.length > 0, `${label}: empty reply`);
  return outcome;
}

function shutdownError(label: string, json: string): void {
  const error = (JSON.parse(json) as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], label);
  assert.equal(error['code'], 'shutting_down', label);
}

test('SIGTERM during long HTTP transcriptions: each client gets the transcript or a 503 envelope, the log agrees, and the daemon exits 0', async (t) => {
  if (!need(t, haveModels, 'shared models missing')) return;
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'http-shutdown-models-'));
  for (const dir of [ZIPFORMER_DIR, 'silero-vad']) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
  const daemon = DaemonProcess.start({
    config: {
      models_dir: modelsDir,
      provider: { host: '127.0.0.1', port: 0 },
      mdns: { enabled: false },
      models: { auto_pull: false },
      http: { enabled: true, host: '127.0.0.1', port: 0 },
    },
  });
  t.after(async () => {
    if (daemon.running) await daemon.stop('SIGKILL');
    rmSync(modelsDir, { recursive: true, force: true });
  });
  const port = (await daemon.ports())['http']!;
  assert.ok(port > 0, 'the HTTP shim is listening');

  // A connection whose request has begun is not idle: it outlives the close and sends the rest during the drain.
  const late = net.connect(port, '127.0.0.1');
  let lateReply = '';
  late.on('data', (d: Buffer) => (lateReply += d.toString('latin1')));
  late.on('error', (err) => (lateReply += `\n[socket error: ${err.message}]`));
  const lateClosed = new Promise<void>((resolve) => late.on('close', () => resolve()));
  await new Promise<void>((resolve) => late.on('connect', () => resolve()));
  late.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');

  const wav = longWav(LONG_AUDIO_S);
  const plain = transcribe(port, wav, { model: 'whisper-1' });
  const streamed = transcribe(port, wav, { model: 'whisper-1', stream: 'true' });
  await Promise.all([plain.uploaded, streamed.uploaded]);
  await sleep(SETTLE_MS);

  daemon.child.kill('SIGTERM');
  await daemon.waitForLog((l) => l.msg === 'shutting down');
  await sleep(200);
  late.write('\r\n');

  const guard = setTimeout(() => daemon.child.kill('SIGKILL'), EXIT_WAIT_MS);
  const [plainOutcome, streamedOutcome, exit] = await Promise.all([plain.outcome, streamed.outcome, daemon.exited, lateClosed]);
  clearTimeout(guard);

  const one = answered('plain transcription', plainOutcome);
  t.diagnostic(`plain transcription: ${one.status}`);
  if (one.status === 200) assert.ok((JSON.parse(one.body) as { text: string }).text.length > 0, 'a transcript');
  else {
    assert.equal(one.status, 503, one.body);
    shutdownError('plain transcription', one.body);
  }

  const stream = answered('streamed transcription', streamedOutcome);
  assert.equal(stream.status, 200);
  assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
  const last = stream.body.trim().split('\n\n').at(-1)!;
  const event = JSON.parse(last.slice(last.indexOf('data: ') + 6)) as { type: string; error?: unknown };
  t.diagnostic(`streamed transcription ended with: ${event.type}`);
  if (event.type === 'error') shutdownError('streamed transcription', JSON.stringify(event));
  else assert.equal(event.type, 'transcript.text.done');

  assert.match(lateReply, /^HTTP\/1\.1 503 /, lateReply.slice(0, 200));
  assert.match(lateReply, /\r\nConnection: close\r\n/i);
  shutdownError('late request', lateReply.slice(lateReply.indexOf('\r\n\r\n') + 4));

  assert.deepEqual(exit, { code: 0, signal: null });
  const logged = (route: string) =>
    daemon.lines.filter((l: LogLine) => l.msg === 'request' && l['route'] === route).map((l) => l['status'] as number);
  assert.deepEqual(logged('transcriptions').sort(), [one.status, stream.status].sort(), 'the access log shows the statuses sent');
  assert.deepEqual(logged('health'), [503]);
});
