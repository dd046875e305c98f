/**
 * The official `openai` SDK against the shim in the real daemon: the shared streaming zipformer
 * transcribes the reference clips (checked by word error rate) in every response format, espeak-ng
 * speaks text that the recogniser turns back into the same words, and error paths arrive as the
 * SDK's typed errors with OpenAI's envelope.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { parseWav } from '../../../src/audio/wav.js';
import { pcmToFloatMono } from '../../../src/audio/pcm.js';
import { referenceClips, type Clip } from '../../helpers/clips.js';
import { need } from '../../helpers/system.js';
import { corpusWer, wer } from '../../helpers/wer.js';
import { recognize } from '../../helpers/recognize.js';
import { ESPEAK_VOICE, haveEspeak, haveModels, startHttpDaemon, ZIPFORMER_DIR, type HttpDaemon } from './http-daemon.js';

const API_KEY = 'test-key-123';
const ASR_WER_LIMIT = 0.15;
const TTS_WER_LIMIT = 0.8;
const SENTENCE = 'please turn on the kitchen light and set a timer for ten minutes';

/** Text of the cues of an SRT or WebVTT document, and their [start, end] times in seconds. */
function cues(doc: string): Array<{ start: number; end: number; text: string }> {
  const out: Array<{ start: number; end: number; text: string }> = [];
  const seconds = (t: string) => {
    const [h, m, s] = t.replace(',', '.').split(':').map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  for (const block of doc.split(/\n\n+/)) {
    const lines = block.split('\n');
    const timeLine = lines.findIndex((l) => l.includes(' --> '));
    if (timeLine < 0) continue;
    const [a, b] = lines[timeLine]!.split(' --> ');
    out.push({ start: seconds(a!), end: seconds(b!), text: lines.slice(timeLine + 1).join(' ') });
  }
  return out;
}

describe('OpenAI SDK against the shim', { concurrency: false }, () => {
  let daemon: HttpDaemon | undefined;
  let client: OpenAI;
  let clips: Clip[] = [];
  const upload = (clip: Clip) => toFile(readFileSync(clip.path), clip.file, { type: 'audio/wav' });

  before(async () => {
    if (!haveModels || !haveEspeak) return;
    daemon = await startHttpDaemon({ api_key: API_KEY });
    client = new OpenAI({ apiKey: API_KEY, baseURL: `${daemon.url}/v1`, maxRetries: 0 });
    clips = referenceClips();
  });
  after(async () => daemon?.stop());

  test('transcriptions of the reference clips with whisper-1 have a corpus WER of at most 15%', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const pairs = [];
    for (const clip of clips) {
      const result = await client.audio.transcriptions.create({ file: await upload(clip), model: 'whisper-1' });
      pairs.push({ reference: clip.reference, hypothesis: result.text });
    }
    const score = corpusWer(pairs);
    t.diagnostic(`corpus WER ${(score * 100).toFixed(1)}% over ${pairs.length} clips`);
    assert.ok(score <= ASR_WER_LIMIT, `WER ${score}`);
  });

  test('srt and vtt subtitles carry the transcript in timed cues', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    // srt over every clip, vtt over half of them (the same segmentation; keeps the suite quick)
    for (const format of ['srt', 'vtt'] as const) {
      const pairs = [];
      for (const clip of format === 'srt' ? clips : clips.filter((_, i) => i % 2 === 0)) {
        const doc = (await client.audio.transcriptions.create({ file: await upload(clip), model: 'whisper-1', response_format: format })) as unknown as string;
        assert.equal(typeof doc, 'string');
        if (format === 'vtt') assert.ok(doc.startsWith('WEBVTT\n\n'));
        else assert.ok(doc.startsWith('1\n'));
        const duration = readClipSeconds(clip);
        const list = cues(doc);
        let last = 0;
        for (const cue of list) {
          assert.ok(cue.start >= last - 1e-3 && cue.end > cue.start && cue.end <= duration + 0.01, `${clip.file}: cue ${cue.start}-${cue.end} of ${duration}`);
          last = cue.end;
        }
        pairs.push({ reference: clip.reference, hypothesis: list.map((c) => c.text).join(' ') });
      }
      const score = corpusWer(pairs);
      t.diagnostic(`${format}: corpus WER ${(score * 100).toFixed(1)}%`);
      assert.ok(score <= ASR_WER_LIMIT, `${format} WER ${score}`);
    }
  });

  test('verbose_json reports the duration, language and VAD segments', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const pairs = [];
    for (const clip of clips) {
      const result = await client.audio.transcriptions.create({
        file: await upload(clip),
        model: ZIPFORMER_DIR,
        response_format: 'verbose_json',
        timestamp_granularities: ['segment'],
      });
      const duration = readClipSeconds(clip);
      assert.ok(Math.abs(result.duration - duration) < 0.05, `${clip.file}: ${result.duration} vs ${duration}`);
      assert.equal(result.language, 'english');
      assert.ok(result.segments && result.segments.length >= 1, clip.file);
      for (const s of result.segments!) assert.ok(s.start >= 0 && s.end > s.start && s.end <= duration + 0.01);
      assert.equal(result.text, result.segments!.map((s) => s.text.trim()).join(' '));
      pairs.push({ reference: clip.reference, hypothesis: result.text });
    }
    const score = corpusWer(pairs);
    t.diagnostic(`verbose_json: corpus WER ${(score * 100).toFixed(1)}%`);
    assert.ok(score <= ASR_WER_LIMIT, `WER ${score}`);
  });

  test('a streamed transcription arrives as deltas that add up to the final text', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const pairs = [];
    for (const clip of clips.slice(0, 4)) {
      const stream = await client.audio.transcriptions.create({ file: await upload(clip), model: 'gpt-4o-transcribe', stream: true });
      let joined = '';
      let deltas = 0;
      let done: string | undefined;
      for await (const event of stream) {
        if (event.type === 'transcript.text.delta') {
          joined += event.delta;
          deltas++;
        } else if (event.type === 'transcript.text.done') done = event.text;
      }
      assert.ok(done !== undefined, 'a done event');
      assert.ok(deltas >= 1 && done.startsWith(joined), `${clip.file}: "${joined}" / "${done}"`);
      pairs.push({ reference: clip.reference, hypothesis: done });
    }
    assert.ok(corpusWer(pairs) <= ASR_WER_LIMIT, `WER ${corpusWer(pairs)}`);
  });

  test('speech from espeak-ng is a WAV the recogniser turns back into the words', async (t) => {
    if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared recogniser missing')) return;
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE, response_format: 'wav' });
    assert.equal(response.headers.get('x-voice'), ESPEAK_VOICE);
    const wav = parseWav(Buffer.from(await response.arrayBuffer()));
    assert.equal(wav.format.channels, 1);
    assert.equal(wav.format.width, 2);
    assert.ok(wav.pcm.length / 2 / wav.format.rate > 1.5, 'at least 1.5 s of speech');
    const text = await recognize(pcmToFloatMono(wav.pcm, wav.format), wav.format.rate);
    const score = wer(SENTENCE, text);
    t.diagnostic(`heard "${text}" (WER ${(score * 100).toFixed(0)}%)`);
    assert.ok(score < TTS_WER_LIMIT, `WER ${score}: ${text}`);
  });

  test('speech streamed as server-sent events carries 24 kHz PCM that is speech', async (t) => {
    if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared recogniser missing')) return;
    const response = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'nova', input: SENTENCE, response_format: 'pcm', stream_format: 'sse' });
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await response.text())
      .split('\n\n')
      .filter((b) => b.startsWith('data: '))
      .map((b) => JSON.parse(b.slice(6)) as { type: string; audio?: string; usage?: Record<string, number> });
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    assert.ok(events.at(-1)!.usage!['input_tokens']! > 0);
    const pcm = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')));
    const text = await recognize(pcmToFloatMono(pcm, { rate: 24000, width: 2, channels: 1 }), 24000);
    assert.ok(wer(SENTENCE, text) < TTS_WER_LIMIT, text);
  });

  test('models, voices and health describe the installed engines', async (t) => {
    if (!need(t, haveModels && haveEspeak, 'espeak-ng or shared models missing')) return;
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    // Models, not voices: espeak-ng is one model offering its voices (listed on /v1/audio/voices).
    assert.ok(ids.includes(ZIPFORMER_DIR) && ids.includes('espeak-ng') && !ids.includes(ESPEAK_VOICE), ids.join(', '));
    const voices = (await (await fetch(`${daemon!.url}/v1/audio/voices`, { headers: { Authorization: `Bearer ${API_KEY}` } })).json()) as {
      data: Array<{ id: string }>;
      openai_voices: Record<string, string>;
    };
    assert.ok(voices.data.some((v) => v.id === ESPEAK_VOICE));
    assert.equal(voices.openai_voices['alloy'], ESPEAK_VOICE);
    const health = (await (await fetch(`${daemon!.url}/health`)).json()) as { ready: boolean; models: { asr: { model: string } } };
    assert.equal(health.ready, true);
    assert.equal(health.models.asr.model, ZIPFORMER_DIR);
    const metrics = await (await fetch(`${daemon!.url}/metrics`, { headers: { Authorization: `Bearer ${API_KEY}` } })).text();
    assert.match(metrics, new RegExp(`satellite_engine_rtf\\{kind="asr",model="${ZIPFORMER_DIR.replace(/\./g, '\\.')}"\\} [0-9.e-]+`));
    assert.match(metrics, /satellite_service_requests_total\{service="http-transcriptions"\} [1-9]/);
    assert.match(metrics, new RegExp(`satellite_model_loaded\\{kind="asr",model="${ZIPFORMER_DIR.replace(/\./g, '\\.')}"\\} 1`));
  });

  test('errors reach the SDK as typed errors with the OpenAI envelope', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const clip = clips[0]!;
    const wrongKey = new OpenAI({ apiKey: 'wrong', baseURL: `${daemon!.url}/v1`, maxRetries: 0 });
    await assert.rejects(wrongKey.audio.transcriptions.create({ file: await upload(clip), model: 'whisper-1' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_api_key');
      return true;
    });
    await assert.rejects(client.audio.transcriptions.create({ file: await upload(clip), model: 'whisper-9000' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      return true;
    });
    await assert.rejects(client.audio.translations.create({ file: await upload(clip), model: 'whisper-1' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, 'translation_unsupported');
      return true;
    });
    await assert.rejects(client.audio.speech.create({ model: 'tts-1', voice: 'no-such-voice', input: 'hi' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.param, 'voice');
      return true;
    });
  });
});

describe('OpenAI SDK against a shim without ffmpeg and with a small upload limit', { concurrency: false }, () => {
  let daemon: HttpDaemon | undefined;
  let client: OpenAI;
  const LIMIT = 256 * 1024;

  before(async () => {
    if (!haveModels) return;
    daemon = await startHttpDaemon({ ffmpeg: '/nonexistent/ffmpeg', max_upload_bytes: LIMIT });
    client = new OpenAI({ apiKey: 'unused', baseURL: `${daemon.url}/v1`, maxRetries: 0 });
  });
  after(async () => daemon?.stop());

  test('an upload over the limit is a 413 and the daemon goes on serving', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const big = referenceClips().find((c) => readFileSync(c.path).length > LIMIT)!;
    await assert.rejects(client.audio.transcriptions.create({ file: await toFile(readFileSync(big.path), big.file), model: 'whisper-1' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 413);
      assert.equal(err.code, 'file_too_large');
      return true;
    });
    const small = referenceClips().find((c) => readFileSync(c.path).length < LIMIT)!;
    const ok = await client.audio.transcriptions.create({ file: await toFile(readFileSync(small.path), small.file), model: 'whisper-1' });
    assert.ok(wer(small.reference, ok.text) < 0.5, ok.text);
  });

  test('a compressed upload without ffmpeg is a 400 that names ffmpeg, and so is mp3 speech', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const fakeMp3 = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(4096)]);
    await assert.rejects(client.audio.transcriptions.create({ file: await toFile(fakeMp3, 'a.mp3'), model: 'whisper-1' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, 'unsupported_format');
      assert.match(err.message, /ffmpeg/);
      return true;
    });
    if (!haveEspeak) return;
    await assert.rejects(client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello', response_format: 'mp3' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /available here: wav, pcm/);
      return true;
    });
  });
});

function readClipSeconds(clip: Clip): number {
  const wav = parseWav(readFileSync(clip.path));
  return wav.pcm.length / (wav.format.rate * wav.format.width * wav.format.channels);
}
