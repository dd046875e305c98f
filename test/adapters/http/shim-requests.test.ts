/**
 * The shim's own logic over real HTTP on port 0, with tiny in-process engines: envelopes and
 * statuses of every error path, auth, CORS, upload limits, concurrency, formats and routing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { encodeWav, parseWav } from '../../../src/audio/wav.js';
import { CountingAsr, registry, ToneTts, WordsAsr } from './fake-engines.js';
import { envelope, multipart, postForm, startShim, type Shim } from './shim-harness.js';

function tone(seconds: number, rate: number, width: number, channels: number): Buffer {
  const frames = Math.round(seconds * rate);
  const pcm = Buffer.alloc(frames * width * channels);
  for (let f = 0; f < frames; f++) {
    const v = 0.5 * Math.sin((2 * Math.PI * 300 * f) / rate);
    for (let c = 0; c < channels; c++) {
      const at = (f * channels + c) * width;
      if (width === 1) pcm.writeUInt8(Math.round(128 + v * 127), at);
      else if (width === 2) pcm.writeInt16LE(Math.round(v * 32767), at);
      else pcm.writeInt32LE(Math.round(v * 2147483647), at);
    }
  }
  return encodeWav(pcm, { rate, width, channels });
}

/**
 * Sends a chunked upload over a raw socket and keeps sending after any early answer (as a
 * careless client would), sampling memory every few MiB; resolves with the answer once all is sent.
 */
function stubbornUpload(port: number, contentType: string, head: Buffer[], total: number, sample: () => void): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024, 1);
    const write = (data: Buffer | string) => (socket.write(data) ? Promise.resolve() : new Promise((r) => socket.once('drain', r)));
    const frame = async (data: Buffer) => {
      socket.write(`${data.length.toString(16)}\r\n`);
      socket.write(data);
      await write('\r\n');
    };
    socket.on('connect', () => {
      void (async () => {
        await write(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        for (const part of head) await frame(part);
        for (; sent < total; sent += chunk.length) {
          await frame(chunk);
          if (sent % (8 * 1024 * 1024) === 0) sample();
        }
        await write('0\r\n\r\n');
        for (let i = 0; i < 100 && !/\r\n\r\n[\s\S]*\}/.test(received); i++) await new Promise((r) => setTimeout(r, 20));
        socket.destroy();
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(received)?.[1] ?? 0);
        resolve({ status, body: received.slice(received.indexOf('\r\n\r\n') + 4), sent });
      })().catch(reject);
    });
  });
}

v8.setFlagsFromString('--expose-gc');
/** A full collection, so memory samples count live buffers only. */
const collectGarbage = vm.runInNewContext('gc') as () => void;

const speech = (url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/audio/speech`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

describe('OpenAI shim request handling', () => {
  let shim: Shim;
  let asr: CountingAsr;
  let tts: ToneTts;
  before(async () => {
    asr = new CountingAsr('counting-asr', ['transcribe', 'translate']);
    tts = new ToneTts();
    shim = await startShim(
      { api_key: 'sekrit', cors_origins: ['http://allowed.example'], ffmpeg: '/nonexistent/ffmpeg', voice_map: { alloy: 'tone-high' }, max_upload_bytes: 1024 * 1024 },
      registry([asr], [tts]),
    );
  });
  after(() => shim.close());
  const auth = { Authorization: 'Bearer sekrit' };

  test('a WAV of any rate, width and channel count reaches the engine as 16 kHz mono', async () => {
    for (const [rate, width, channels] of [[44100, 4, 2], [8000, 1, 1], [16000, 2, 3]] as const) {
      const res = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'whisper-1' }, { name: 'a.wav', data: tone(1, rate, width, channels) }, auth);
      assert.equal(res.status, 200);
      const { text } = (await res.json()) as { text: string };
      const [, samples, loud] = /(\d+) samples (\d+) loud/.exec(text)!.map(Number);
      assert.ok(Math.abs(samples! - 16000) <= 2, `${rate} Hz: ${samples} samples`);
      assert.ok(loud! > 8000, `${rate} Hz/${width}/${channels}: the tone survives (${loud} loud samples)`);
    }
  });

  test('the API key is required on every route but /health', async () => {
    const none = await fetch(`${shim.url}/v1/models`);
    assert.equal(none.status, 401);
    assert.equal((await envelope(none)).code, 'invalid_api_key');
    const wrong = await fetch(`${shim.url}/v1/models`, { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.match((await envelope(wrong)).message, /incorrect API key/);
    const right = await fetch(`${shim.url}/v1/models`, { headers: auth });
    assert.equal(right.status, 200);
    const models = (await right.json()) as { object: string; data: Array<{ id: string; object: string; resolves_to?: string }> };
    assert.equal(models.object, 'list');
    // Installed models (the voices' engine, not each voice), then OpenAI's names with what they resolve to.
    assert.deepEqual(models.data.filter((m) => !m.resolves_to).map((m) => m.id).sort(), ['counting-asr', 'tts-0']);
    assert.equal(models.data.find((m) => m.id === 'whisper-1')?.resolves_to, 'counting-asr');
    const health = await fetch(`${shim.url}/health`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { ready: boolean; models: { asr: { model: string }; ffmpeg: boolean } };
    assert.equal(body.ready, true);
    assert.equal(body.models.asr.model, 'counting-asr');
    assert.equal(body.models.ffmpeg, false);
  });

  test('a form without a file is a 400 naming the file parameter', async () => {
    const res = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'whisper-1' }, undefined, auth);
    assert.equal(res.status, 400);
    const error = await envelope(res);
    assert.equal(error.param, 'file');
    assert.equal(error.code, 'missing_required_parameter');
  });

  test('an unknown model is a 404 model_not_found, for transcription and speech', async () => {
    const res = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'no-such-model' }, { name: 'a.wav', data: tone(0.2, 16000, 2, 1) }, auth);
    assert.equal(res.status, 404);
    assert.equal((await envelope(res)).code, 'model_not_found');
    const tts404 = await speech(shim.url, { model: 'no-such-voice', input: 'hi', voice: 'alloy' }, auth);
    assert.equal(tts404.status, 404);
    assert.equal((await envelope(tts404)).param, 'model');
    const single = await fetch(`${shim.url}/v1/models/nope`, { headers: auth });
    assert.equal(single.status, 404);
    assert.equal((await (await fetch(`${shim.url}/v1/models/tone-low`, { headers: auth })).json() as { id: string }).id, 'tone-low');
  });

  test('compressed audio without ffmpeg is a 400 that says ffmpeg is missing', async () => {
    const mp3ish = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(2000, 7)]);
    const res = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'whisper-1' }, { name: 'a.mp3', data: mp3ish, type: 'audio/mpeg' }, auth);
    assert.equal(res.status, 400);
    const error = await envelope(res);
    assert.equal(error.code, 'unsupported_format');
    assert.match(error.message, /ffmpeg/);
    const mp3 = await speech(shim.url, { model: 'tts-1', input: 'hi', voice: 'alloy', response_format: 'mp3' }, auth);
    assert.equal(mp3.status, 400);
    const speechError = await envelope(mp3);
    assert.equal(speechError.param, 'response_format');
    assert.match(speechError.message, /ffmpeg.*available here: wav, pcm/);
  });

  test('a body that is not multipart or not JSON is a 415', async () => {
    const res = await fetch(`${shim.url}/v1/audio/transcriptions`, { method: 'POST', body: 'x', headers: { ...auth, 'Content-Type': 'text/plain' } });
    assert.equal(res.status, 415);
    await envelope(res);
    const json = await fetch(`${shim.url}/v1/audio/speech`, { method: 'POST', body: 'input=hi', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(json.status, 415);
    const broken = await fetch(`${shim.url}/v1/audio/speech`, { method: 'POST', body: '{"input":', headers: { ...auth, 'Content-Type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal((await envelope(broken)).code, 'invalid_json');
  });

  test('bad parameters are 400s naming the parameter', async () => {
    const wav = { name: 'a.wav', data: tone(0.2, 16000, 2, 1) };
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ response_format: 'docx' }, 'response_format'],
      [{ temperature: '7' }, 'temperature'],
      [{ 'timestamp_granularities[]': ['word', 'paragraph'] }, 'timestamp_granularities[]'],
      [{ language: 'de' }, 'language'],
    ];
    for (const [fields, param] of cases) {
      const res = await postForm(`${shim.url}/v1/audio/transcriptions`, fields, wav, auth);
      assert.equal(res.status, 400, JSON.stringify(fields));
      assert.equal((await envelope(res)).param, param);
    }
    for (const [body, param] of [
      [{ voice: 'alloy' }, 'input'],
      [{ input: 'hi', voice: 'not-a-voice' }, 'voice'],
      [{ input: 'hi', speed: 9 }, 'speed'],
      [{ input: 'hi', stream_format: 'carrier-pigeon' }, 'stream_format'],
      [{ input: 'x'.repeat(5000) }, 'input'],
    ] as const) {
      const res = await speech(shim.url, body, auth);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal((await envelope(res)).param, param);
    }
  });

  test('unknown routes are 404 and wrong methods 405, both in the envelope', async () => {
    const missing = await fetch(`${shim.url}/v1/chat/completions`, { headers: auth });
    assert.equal(missing.status, 404);
    await envelope(missing);
    const wrong = await fetch(`${shim.url}/v1/audio/speech`, { headers: auth });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    await envelope(wrong);
  });

  test('CORS headers go only to listed origins, and preflights need no key', async () => {
    const allowed = await fetch(`${shim.url}/v1/models`, { headers: { ...auth, Origin: 'http://allowed.example' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://allowed.example');
    const other = await fetch(`${shim.url}/v1/models`, { headers: { ...auth, Origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${shim.url}/v1/audio/speech`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://allowed.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, content-type');
  });

  test('speech comes as a WAV at the voice rate and as 24 kHz PCM, with OpenAI voices mapped', async () => {
    const wav = await speech(shim.url, { model: 'tts-1', input: 'abcd', voice: 'alloy', response_format: 'wav' }, auth);
    assert.equal(wav.status, 200);
    assert.equal(wav.headers.get('content-type'), 'audio/wav');
    assert.equal(wav.headers.get('x-voice'), 'tone-high');
    const audio = parseWav(Buffer.from(await wav.arrayBuffer()));
    assert.deepEqual(audio.format, { rate: 22050, width: 2, channels: 1 });
    assert.equal(audio.pcm.length, 4 * 2205 * 2);
    const pcm = await speech(shim.url, { input: 'abcd', voice: 'echo', response_format: 'pcm', speed: 1.5 }, auth);
    assert.equal(pcm.headers.get('x-voice'), 'tone-low');
    const bytes = Buffer.from(await pcm.arrayBuffer());
    assert.ok(Math.abs(bytes.length / 2 - 0.4 * 24000) < 24, `${bytes.length / 2} samples at 24 kHz`);
    assert.equal(tts.requests.at(-1)!.speed, 1.5);
    const byName = await speech(shim.url, { model: 'tone-high', input: 'a', response_format: 'wav' }, auth);
    assert.equal(byName.headers.get('x-voice'), 'tone-high');
    await byName.arrayBuffer();
  });

  test('speech as server-sent events carries base64 audio deltas and a done event', async () => {
    const res = await speech(shim.url, { input: 'abc', voice: 'alloy', response_format: 'pcm', stream_format: 'sse' }, auth);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => JSON.parse(block.replace(/^data: /, '')) as { type: string; audio?: string });
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    const deltas = events.filter((e) => e.type === 'speech.audio.delta');
    assert.ok(deltas.length >= 2);
    const total = deltas.reduce((n, e) => n + Buffer.from(e.audio!, 'base64').length, 0);
    assert.ok(Math.abs(total / 2 - 0.3 * 24000) < 24);
  });

  test('stream=true transcription sends growing deltas and the final text', async () => {
    const res = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'whisper-1', stream: 'true' }, { name: 'a.wav', data: tone(0.6, 16000, 2, 1) }, auth);
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => JSON.parse(block.replace(/^data: /, '')) as { type: string; delta?: string; text?: string });
    const done = events.at(-1)!;
    assert.equal(done.type, 'transcript.text.done');
    const joined = events.filter((e) => e.type === 'transcript.text.delta').map((e) => e.delta).join('');
    assert.ok(done.text!.startsWith(joined) && joined.length > 0, `${joined} / ${done.text}`);
  });

  test('translations ask the engine for the translate task, and refuse engines without it', async () => {
    const res = await postForm(`${shim.url}/v1/audio/translations`, { model: 'whisper-1', response_format: 'text' }, { name: 'a.wav', data: tone(0.2, 16000, 2, 1) }, auth);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^heard[ .]* \d+ samples/);
    assert.equal(asr.sessions.at(-1)!.task, 'translate');
    const plain = await startShim({}, registry([new CountingAsr('plain')]));
    try {
      const refused = await postForm(`${plain.url}/v1/audio/translations`, {}, { name: 'a.wav', data: tone(0.2, 16000, 2, 1) });
      assert.equal(refused.status, 400);
      assert.equal((await envelope(refused)).code, 'translation_unsupported');
    } finally {
      await plain.close();
    }
  });

  test('word timestamps from the engine appear in verbose_json, and split segments at pauses without a VAD', async () => {
    const words = await startShim({}, registry([new WordsAsr('words-asr')]));
    try {
      const res = await postForm(
        `${words.url}/v1/audio/transcriptions`,
        { response_format: 'verbose_json', 'timestamp_granularities[]': ['word', 'segment'] },
        { name: 'a.wav', data: tone(3, 16000, 2, 1) },
      );
      const body = (await res.json()) as { words: Array<{ word: string; start: number }>; segments: Array<{ start: number; end: number; text: string }> };
      assert.deepEqual(body.words.map((w) => [w.word, w.start]), [['hello', 0.1], ['world', 2]]);
      assert.deepEqual(body.segments.map((s) => [s.start, s.end, s.text.trim()]), [[0.1, 0.4, 'hello'], [2, 2.5, 'world']]);
    } finally {
      await words.close();
    }
  });

  test('metrics count requests by route and status in Prometheus text', async () => {
    const res = await fetch(`${shim.url}/metrics`, { headers: auth });
    const text = await res.text();
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(text, /satellite_http_requests_total\{route="transcriptions",method="POST",status="200"\} [1-9]/);
    assert.match(text, /satellite_http_requests_total\{route="models",method="GET",status="401"\} 2/);
    assert.match(text, /satellite_http_request_duration_seconds_count\{route="speech"\} [1-9]/);
    assert.match(text, /satellite_engine_rtf\{kind="tts",model="tone-high"\} [0-9.e-]+/);
    assert.match(text, /satellite_event_loop_delay_p99_seconds [0-9.e-]+/);
    assert.match(text, /satellite_model_installed\{kind="asr",model="counting-asr"\} 1/);
  });
});

describe('OpenAI shim limits', () => {
  test('an upload past the limit is refused with 413 while it streams, without buffering it', async () => {
    const limit = 1024 * 1024;
    const shim = await startShim({ max_upload_bytes: limit });
    try {
      const declared = await postForm(`${shim.url}/v1/audio/transcriptions`, {}, { name: 'big.wav', data: Buffer.alloc(2 * limit) });
      assert.equal(declared.status, 413);
      assert.equal((await envelope(declared)).code, 'file_too_large');

      // Chunked (no Content-Length): the server must count as it reads. This raw client sends
      // all 96 MiB regardless of the early answer, so the server has to drop what follows.
      const total = 96 * 1024 * 1024;
      const { body: head, contentType } = multipart({ model: 'whisper-1' });
      const boundary = /boundary=(.*)$/.exec(contentType)![1]!;
      const liveBuffers = () => {
        collectGarbage();
        return process.memoryUsage().arrayBuffers;
      };
      const baseline = liveBuffers();
      let peak = baseline;
      const port = Number(new URL(shim.url).port);
      const result = await stubbornUpload(port, contentType, [
        head.subarray(0, head.length - `--${boundary}--\r\n`.length),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\n`),
      ], total, () => {
        peak = Math.max(peak, liveBuffers());
      });
      assert.equal(result.status, 413);
      assert.equal(JSON.parse(result.body).error.code, 'file_too_large');
      assert.ok(result.sent >= total, 'the whole upload was sent and read');
      // Live buffers stay far below the upload size while it streams (a server keeping the body would hold all of it).
      const growth = peak - baseline;
      assert.ok(growth < total / 4, `buffers grew by ${(growth / 1048576).toFixed(1)} MiB during a ${total / 1048576} MiB upload`);
      const after = await fetch(`${shim.url}/health`);
      assert.equal(after.status, 200);
    } finally {
      await shim.close();
    }
  });

  test('more requests than an engine may serve at once get 429 with Retry-After', async () => {
    const shim = await startShim({ max_concurrent: 1, retry_after_s: 3 });
    try {
      // The first request holds the voice until its response is fully read; this client reads nothing.
      const url = new URL(`${shim.url}/v1/audio/speech`);
      const first = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
      const firstResponse = new Promise<http.IncomingMessage>((resolve) => first.on('response', resolve));
      first.on('error', () => undefined);
      // streamed, so the answer starts while the voice is still held
      first.end(JSON.stringify({ input: 'x'.repeat(4000), response_format: 'wav', stream_format: 'audio' }));
      const held = await firstResponse;
      assert.equal(held.statusCode, 200);
      const second = await speech(shim.url, { input: 'hello', response_format: 'wav' });
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '3');
      const error = await envelope(second);
      assert.equal(error.type, 'rate_limit_error');
      assert.equal(error.code, 'rate_limit_exceeded');
      // Another engine is not limited by the busy one.
      const asr = await postForm(`${shim.url}/v1/audio/transcriptions`, {}, { name: 'a.wav', data: tone(0.1, 16000, 2, 1) });
      assert.equal(asr.status, 200);
      held.destroy();
      first.destroy();
    } finally {
      await shim.close();
    }
  });

  test('a request whose body stalls past the timeout gets 408', async () => {
    const shim = await startShim({ request_timeout_s: 0.3 });
    try {
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${shim.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=b' } });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF');
      });
      assert.equal(result.status, 408);
      assert.equal(JSON.parse(result.body).error.code, 'request_timeout');
    } finally {
      await shim.close();
    }
  });

  test('with no default voice configured, the default follows the daemon-wide preference (Piper before espeak-ng), not registration order', async () => {
    const espeak = new ToneTts(22050, { prefix: 'espeak', backend: 'espeak-ng' });
    const piper = new ToneTts(22050, { prefix: 'piper', backend: 'piper' });
    const shim = await startShim({}, registry(undefined, [espeak, piper]));
    try {
      const voices = (await (await fetch(`${shim.url}/v1/audio/voices`)).json()) as { data: Array<{ id: string; default: boolean }> };
      assert.deepEqual(voices.data.map((v) => v.id), ['piper-low', 'piper-high', 'espeak-low', 'espeak-high']);
      assert.deepEqual(voices.data.filter((v) => v.default).map((v) => v.id), ['piper-low']);
      const res = await speech(shim.url, { input: 'a', voice: 'alloy', response_format: 'wav' });
      assert.equal(res.headers.get('x-voice'), 'piper-low');
      await res.arrayBuffer();
      assert.equal(piper.requests.length, 1);
      assert.equal(espeak.requests.length, 0);
    } finally {
      await shim.close();
    }
  });

  test('binding beyond loopback without a key logs a warning at start-up', async () => {
    const open = await startShim({ host: '0.0.0.0' });
    const keyed = await startShim({ host: '0.0.0.0', api_key: 'k' });
    const local = await startShim({});
    try {
      assert.ok(open.logs.some((l) => /without an api_key/.test(l) && /"level":"warn"/.test(l)));
      assert.ok(!keyed.logs.some((l) => /without an api_key/.test(l)));
      assert.ok(!local.logs.some((l) => /without an api_key/.test(l)));
    } finally {
      await Promise.all([open.close(), keyed.close(), local.close()]);
    }
  });
});
