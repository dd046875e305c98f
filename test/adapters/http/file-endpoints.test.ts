/**
 * The file endpoints against OpenAI's published schemas (test/fixtures/openai-audio-schemas.json)
 * in the real daemon: the shared streaming zipformer with Silero VAD, the real Whisper and Vosk
 * models, espeak-ng. Word timestamps and segment details, one decode behind every format, the
 * model routes resolving OpenAI's names as a POST does, the streamed usage, the parameter policy
 * and the 413 that names its limit. The official `openai` SDK where it fits, raw fetch for errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { encodeWav } from '../../../src/audio/wav.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { referenceClips, type Clip } from '../../helpers/clips.js';
import { need, sharedModel } from '../../helpers/system.js';
import { realModel } from '../../helpers/real-models.js';
import { testVoskLibrary } from '../../helpers/vosk.js';
import { corpusWer } from '../../helpers/wer.js';
import { haveEspeak, haveModels, ZIPFORMER_DIR } from './http-daemon.js';
import { assertSchema } from './openai-schema.js';
import { envelope, postForm, startShim } from './shim-harness.js';

const API_KEY = 'file-endpoints-key';
const WER_LIMIT = 0.15;
const ESPEAK_VOICES = ['en-us', 'de'];
const auth = { Authorization: `Bearer ${API_KEY}` };

interface VerboseSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}
interface Verbose {
  text: string;
  duration: number;
  words?: Array<{ word: string; start: number; end: number }>;
  segments?: VerboseSegment[];
}

/** Cue texts of an SRT or WebVTT document, joined as the transcript's text. */
function cueText(doc: string): string {
  return doc
    .split(/\n\n+/)
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.includes(' --> ')))
    .map((lines) => lines.slice(lines.findIndex((l) => l.includes(' --> ')) + 1).join(' '))
    .join(' ');
}

describe('file endpoints against the OpenAI spec', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;
  let url = '';
  let client: OpenAI;
  let clips: Clip[] = [];
  const whisper = realModel('whisper');
  const vosk = realModel('vosk');
  const voskLibrary = testVoskLibrary();
  const whisperName = 'whisper-test';
  const voskName = 'vosk-test';
  const upload = (clip: Clip) => toFile(readFileSync(clip.path), clip.file, { type: 'audio/wav' });
  const verbose = async (clip: Clip, model: string, granularities: Array<'word' | 'segment'>) => {
    const result = await client.audio.transcriptions.create({ file: await upload(clip), model, response_format: 'verbose_json', timestamp_granularities: granularities });
    assertSchema('CreateTranscriptionResponseVerboseJson', result);
    return result as unknown as Verbose;
  };

  before(async () => {
    if (!haveModels) return;
    const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'file-endpoints-models-'));
    for (const dir of [ZIPFORMER_DIR, 'silero-vad']) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
    const models: Array<Record<string, string>> = [];
    if (whisper.dir) models.push({ name: whisperName, path: whisper.dir });
    if (vosk.dir && voskLibrary.path) models.push({ name: voskName, path: vosk.dir });
    daemon = await startTestDaemon({
      models_dir: modelsDir,
      http: { enabled: true, port: 0, api_key: API_KEY },
      stt: { default_model: ZIPFORMER_DIR, models, ...(voskLibrary.path ? { vosk_library: voskLibrary.path } : {}) },
      tts: { espeak: { voices: ESPEAK_VOICES } },
    });
    url = `http://127.0.0.1:${daemon.context.endpoints.http!.port}`;
    client = new OpenAI({ apiKey: API_KEY, baseURL: `${url}/v1`, maxRetries: 0 });
    clips = referenceClips();
  });
  after(async () => daemon?.stop());

  test('word timestamps from the streaming zipformer: timed words inside real segments', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const pairs = [];
    for (const clip of clips.slice(0, 4)) {
      const result = await verbose(clip, ZIPFORMER_DIR, ['word', 'segment']);
      const words = result.words!;
      const segments = result.segments!;
      assert.ok(words.length >= 3 && segments.length >= 1, clip.file);
      // The words are the text, in order, in time, within the file and within their segment.
      assert.equal(words.map((w) => w.word).join(' '), result.text);
      let last = 0;
      for (const w of words) {
        assert.ok(w.start >= last - 1e-3 && w.end >= w.start && w.end <= result.duration + 0.01, `${clip.file}: ${JSON.stringify(w)}`);
        assert.ok(segments.some((s) => w.start >= s.start - 1e-3 && w.end <= s.end + 1e-3), `${clip.file}: ${w.word} outside every segment`);
        last = w.start;
      }
      assert.equal(result.text, segments.map((s) => s.text.trim()).join(' '));
      segments.forEach((s, i) => {
        assert.equal(s.id, i);
        assert.equal(s.seek, Math.round(s.start * 100), 'seek: the 10 ms frame the decoded audio began at');
        assert.ok(s.tokens.length >= s.text.trim().split(/\s+/).length, `${clip.file}: ${s.tokens.length} token ids`);
        assert.ok(s.avg_logprob < 0 && s.avg_logprob > -1, `${clip.file}: avg_logprob ${s.avg_logprob}`);
        assert.ok(s.no_speech_prob >= 0 && s.no_speech_prob < 0.5, `${clip.file}: no_speech_prob ${s.no_speech_prob}`);
        assert.ok(s.compression_ratio > 0 && s.compression_ratio < 2.4, `${clip.file}: compression_ratio ${s.compression_ratio}`);
      });
      pairs.push({ reference: clip.reference, hypothesis: result.text });
    }
    assert.ok(corpusWer(pairs) <= WER_LIMIT, `WER ${corpusWer(pairs)}`);
  });

  test('each granularity alone gives only its own list', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const clip = clips[0]!;
    const words = await verbose(clip, ZIPFORMER_DIR, ['word']);
    assert.ok(words.words!.length > 0);
    assert.equal(words.segments, undefined);
    const segments = await verbose(clip, ZIPFORMER_DIR, ['segment']);
    assert.ok(segments.segments!.length > 0);
    assert.equal(segments.words, undefined);
    assert.equal(words.text, segments.text);
  });

  test('silence has no words and no segments, not an error', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const silence = encodeWav(Buffer.alloc(2 * 16_000 * 2), { rate: 16_000, width: 2, channels: 1 });
    const result = await client.audio.transcriptions.create({
      file: await toFile(silence, 'silence.wav', { type: 'audio/wav' }),
      model: ZIPFORMER_DIR,
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    assertSchema('CreateTranscriptionResponseVerboseJson', result);
    assert.equal(result.text, '');
    assert.deepEqual(result.words, []);
    assert.deepEqual(result.segments, []);
  });

  test('Vosk word results become words and segment log probabilities', async (t) => {
    if (!need(t, haveModels && vosk.dir !== undefined && voskLibrary.path !== undefined, vosk.reason + (voskLibrary.reason ?? ''))) return;
    const clip = clips[0]!;
    const result = await verbose(clip, voskName, ['word', 'segment']);
    assert.equal(result.words!.map((w) => w.word).join(' '), result.text);
    assert.ok(result.words!.every((w, i, all) => w.end > w.start && (i === 0 || w.start >= all[i - 1]!.end - 1e-3)));
    for (const s of result.segments!) {
      assert.ok(s.avg_logprob <= 0 && s.avg_logprob > -2, `avg_logprob ${s.avg_logprob}`);
      assert.deepEqual(s.tokens, [], 'Vosk has no token table');
    }
  });

  test("Whisper's segments carry its token ids; asking it for word timestamps is a 400, never invented times", async (t) => {
    if (!need(t, haveModels && whisper.dir !== undefined, whisper.reason)) return;
    const clip = clips[0]!;
    const result = await verbose(clip, whisperName, ['segment']);
    assert.ok(result.segments!.every((s) => s.tokens.length > 0 && s.tokens.every((id) => Number.isInteger(id))));
    const response = await postForm(
      `${url}/v1/audio/transcriptions`,
      { model: whisperName, response_format: 'verbose_json', 'timestamp_granularities[]': 'word' },
      { name: clip.file, data: readFileSync(clip.path), type: 'audio/wav' },
      auth,
    );
    assert.equal(response.status, 400);
    const error = await envelope(response);
    assert.equal(error.code, 'word_timestamps_unsupported');
    assert.equal(error.param, 'timestamp_granularities[]');
  });

  test('json, text, srt, vtt, verbose_json and the stream all give the same text', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    for (const clip of clips.slice(0, 2)) {
      const file = async () => upload(clip);
      const json = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1' });
      assertSchema('CreateTranscriptionResponseJson', json);
      const text = (await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'text' })) as unknown as string;
      const srt = (await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'srt' })) as unknown as string;
      const vtt = (await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'vtt' })) as unknown as string;
      const full = await verbose(clip, 'whisper-1', ['segment']);
      let streamed: string | undefined;
      for await (const event of await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', stream: true })) {
        if (event.type === 'transcript.text.done') streamed = event.text;
      }
      assert.ok(json.text.length > 0, clip.file);
      assert.equal(text.trim(), json.text, `${clip.file}: text`);
      assert.equal(cueText(srt), json.text, `${clip.file}: srt`);
      assert.equal(cueText(vtt), json.text, `${clip.file}: vtt`);
      assert.equal(full.text, json.text, `${clip.file}: verbose_json`);
      assert.equal(streamed, json.text, `${clip.file}: stream`);
    }
  });

  test("the stream's events match the spec, and its final usage is token usage", async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const clip = clips[1]!;
    const events: Array<Record<string, unknown>> = [];
    for await (const event of await client.audio.transcriptions.create({ file: await upload(clip), model: 'gpt-4o-transcribe', stream: true })) {
      events.push(event as unknown as Record<string, unknown>);
    }
    const done = events.at(-1)!;
    assert.equal(done['type'], 'transcript.text.done');
    for (const event of events.slice(0, -1)) assertSchema('TranscriptTextDeltaEvent', event);
    assertSchema('TranscriptTextDoneEvent', done);
    const usage = done['usage'] as { type: string; input_tokens: number; output_tokens: number; total_tokens: number };
    assert.equal(usage.type, 'tokens');
    assert.ok(usage.output_tokens >= String(done['text']).split(/\s+/).length, `output_tokens ${usage.output_tokens}`);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });

  test("GET /v1/models lists models, not voices, and OpenAI's names resolve as a POST's model does", async (t) => {
    if (!need(t, haveModels && haveEspeak, 'shared models or espeak-ng missing')) return;
    const list = (await (await fetch(`${url}/v1/models`, { headers: auth })).json()) as { data: Array<{ id: string; kind: string; resolves_to?: string }> };
    assertSchema('ListModelsResponse', list);
    const voices = (await (await fetch(`${url}/v1/audio/voices`, { headers: auth })).json()) as { data: Array<{ id: string; engine: string }> };
    assert.ok(voices.data.length >= ESPEAK_VOICES.length, 'several voices installed');
    const ids = list.data.map((m) => m.id);
    for (const voice of voices.data) {
      if (voice.id !== voice.engine) assert.ok(!ids.includes(voice.id), `voice ${voice.id} listed as a model`);
      assert.ok(ids.includes(voice.engine), `the voice's model ${voice.engine} is listed`);
    }
    assert.ok(ids.includes(ZIPFORMER_DIR));

    const clip = clips[0]!;
    for (const alias of ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe']) {
      const model = await client.models.retrieve(alias);
      assertSchema('Model', model);
      const post = await postForm(`${url}/v1/audio/transcriptions`, { model: alias }, { name: clip.file, data: readFileSync(clip.path), type: 'audio/wav' }, auth);
      assert.equal(post.status, 200);
      assert.equal(model.id, alias);
      assert.equal((model as unknown as { resolves_to: string }).resolves_to, post.headers.get('x-model'), alias);
      assert.ok(ids.includes(alias), `${alias} is listed`);
    }
    for (const alias of ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']) {
      const model = await client.models.retrieve(alias);
      assertSchema('Model', model);
      const speech = await client.audio.speech.create({ model: alias, voice: 'alloy', input: 'hello', response_format: 'wav' });
      await speech.arrayBuffer();
      assert.equal((model as unknown as { resolves_to: string }).resolves_to, speech.headers.get('x-voice'), alias);
    }
    // A voice is not listed, yet resolves as it does as a POST's model.
    const german = voices.data.find((v) => v.id.endsWith('-de'))!;
    assert.equal(((await client.models.retrieve(german.id)) as unknown as { resolves_to: string }).resolves_to, german.id);
    await assert.rejects(client.models.retrieve('gpt-9-nonexistent'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.code, 'model_not_found');
      return true;
    });
  });

  test('parameters OpenAI defines are accepted (the unused ones ignored); others are refused and named', async (t) => {
    if (!need(t, haveModels && haveEspeak, 'shared models or espeak-ng missing')) return;
    const clip = clips[0]!;
    const accepted = await client.audio.transcriptions.create({
      file: await upload(clip),
      model: 'whisper-1',
      prompt: 'kitchen',
      include: ['logprobs'],
      chunking_strategy: { type: 'server_vad', threshold: 0.5 },
      known_speaker_names: ['someone'],
      temperature: 0,
      language: 'en',
    });
    assert.ok(accepted.text.length > 0);
    const file = { name: clip.file, data: readFileSync(clip.path), type: 'audio/wav' };
    const refusals: Array<[string, Record<string, string>, string]> = [
      ['/v1/audio/transcriptions', { model: 'whisper-1', frobnicate: '1' }, 'frobnicate'],
      ['/v1/audio/transcriptions', { model: 'whisper-1', 'voice[]': 'x' }, 'voice[]'],
      ['/v1/audio/translations', { model: 'whisper-1', language: 'de' }, 'language'],
    ];
    for (const [route, fields, param] of refusals) {
      const response = await postForm(`${url}${route}`, fields, file, auth);
      assert.equal(response.status, 400, `${route} ${param}`);
      const body = (await response.json()) as { error: { type: string; param: string; code: string; message: string } };
      assertSchema('ErrorResponse', body);
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.param, param);
      assert.equal(body.error.code, 'unknown_parameter');
      assert.match(body.error.message, new RegExp(param.replace(/[[\]]/g, '\\$&')));
    }
    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello', instructions: 'cheerful', response_format: 'wav' });
    assert.equal(speech.status, 200);
    await speech.arrayBuffer();
    const refused = await fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'hello', pitch: 3 }),
    });
    assert.equal(refused.status, 400);
    const error = await envelope(refused);
    assert.equal(error.param, 'pitch');
    assert.equal(error.code, 'unknown_parameter');
  });
});

describe('the 413 names the configured limit', () => {
  test('an upload and a JSON body over their limits say which limit, in bytes, and its setting', async () => {
    const shim = await startShim({ max_upload_bytes: 4096, max_json_bytes: 2048 });
    try {
      const big = { name: 'big.wav', data: Buffer.alloc(10_000), type: 'audio/wav' };
      const upload = await postForm(`${shim.url}/v1/audio/transcriptions`, { model: 'whisper-1' }, big);
      assert.equal(upload.status, 413);
      const body = (await upload.json()) as { error: { message: string; code: string; param: string } };
      assertSchema('ErrorResponse', body);
      assert.equal(body.error.code, 'file_too_large');
      assert.match(body.error.message, /4096 bytes/);
      assert.match(body.error.message, /http\.max_upload_bytes/);
      const json = await fetch(`${shim.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'x'.repeat(3000) }),
      });
      assert.equal(json.status, 413);
      const error = await envelope(json);
      assert.match(error.message, /2048 bytes/);
      assert.match(error.message, /http\.max_json_bytes/);
      // curl sends `Expect: 100-continue` with large uploads: refused before the body, with the same message.
      const early = await expectContinue(`${shim.url}/v1/audio/transcriptions`, 50 * 1024 * 1024);
      assert.equal(early.status, 413);
      assert.match(early.body, /4096 bytes/);
      assert.match(early.body, /http\.max_upload_bytes/);
    } finally {
      await shim.close();
    }
  });
});

/** Declares a large multipart body with `Expect: 100-continue` and reads the answer, sending no body. */
function expectContinue(url: string, length: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(length), Expect: '100-continue' },
    });
    req.on('continue', () => reject(new Error('the server asked for the body')));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
