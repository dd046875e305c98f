import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TtsCache } from '../../../src/core/speech/tts-cache.js';
import { TtsReply } from '../../../src/core/speech/tts-reply.js';
import { TtsSession, type TtsRequestResult } from '../../../src/core/speech/tts-session.js';
import { pickVoice } from '../../../src/core/speech/select-voice.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from '../../../src/engines/tts/tts.js';
import { SatelliteError } from '../../../src/util/errors.js';

const RATE = 16000;
const CHUNK = 64;

/**
 * A logic-only engine: 10 samples per character, in two pieces, after a short delay; fails on
 * text containing "FAIL". The real engines are tested against real programs and models elsewhere.
 */
class ScriptedEngine implements TtsEngine {
  readonly voices: TtsVoiceInfo[] = [
    { name: 'fake', backend: 'piper', languages: ['en_US'], speakers: null, sampleRate: RATE, description: 'fake', version: null, attribution: { name: '', url: '' } },
  ];
  readonly calls: string[] = [];
  readonly loaded = true;
  async synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    this.calls.push(request.text);
    if (request.text.includes('FAIL')) throw new SatelliteError('SAT_ERR_TTS_ENGINE', 'scripted failure');
    const samples = Float32Array.from({ length: request.text.length * 10 }, (_, i) => ((i % 100) - 50) / 100);
    const half = Math.floor(samples.length / 2);
    request.onAudio(samples.subarray(0, half));
    await sleep(2);
    if (request.signal?.aborted) throw new SatelliteError('SAT_ERR_CANCELLED', 'cancelled');
    request.onAudio(samples.subarray(half));
    return { sampleRate: RATE };
  }
  async unload(): Promise<void> {}
  async close(): Promise<void> {}
}

function harness(options: { maxTextChars?: number; cache?: TtsCache } = {}) {
  const engine = new ScriptedEngine();
  const engines = [{ id: 'fake', engine: engine as TtsEngine }];
  const events: Array<{ type: string; bytes?: number; code?: string }> = [];
  const results: TtsRequestResult[] = [];
  const abort = new AbortController();
  const session = new TtsSession({
    resolve: (query) => pickVoice(engines, query),
    createReply: (choice, sink, signal, onError) => new TtsReply({ choice, sink, signal, onError, speed: 1, samplesPerChunk: CHUNK, cache: options.cache }),
    output: {
      start: async (f) => void events.push({ type: `audio-start ${f.rate}/${f.width}/${f.channels}` }),
      chunk: async (pcm) => void events.push({ type: 'audio-chunk', bytes: pcm.length }),
      stop: async () => void events.push({ type: 'audio-stop' }),
      stopped: async () => void events.push({ type: 'synthesize-stopped' }),
      error: async (_text, code) => void events.push({ type: 'error', code }),
    },
    maxTextChars: options.maxTextChars ?? 1000,
    signal: abort.signal,
    onRequest: (r) => results.push(r),
  });
  const types = () => events.map((e) => e.type).filter((t, i, all) => !(t === 'audio-chunk' && all[i - 1] === 'audio-chunk'));
  const bytes = () => events.reduce((n, e) => n + (e.bytes ?? 0), 0);
  return { engine, session, events, results, abort, types, bytes };
}

test('a classic request is one start, chunks of the configured size and one stop', async () => {
  const h = harness();
  await h.session.synthesize('Hello there. Second sentence.', undefined);
  assert.deepEqual(h.types(), [`audio-start ${RATE}/2/1`, 'audio-chunk', 'audio-stop']);
  assert.deepEqual(h.engine.calls, ['Hello there.', 'Second sentence.']);
  assert.equal(h.bytes(), ('Hello there.'.length + 'Second sentence.'.length) * 10 * 2);
  assert.ok(h.events.filter((e) => e.bytes !== undefined).every((e) => e.bytes! <= CHUNK * 2));
  assert.deepEqual(h.results.map((r) => [r.ok, r.streaming, r.sentences]), [[true, false, 2]]);
});

test('a stream speaks each sentence as soon as it is complete and ignores the compatibility synthesize', async () => {
  const h = harness();
  await h.session.start({});
  h.session.chunk('First sen');
  h.session.chunk('tence. Sec');
  await sleep(20);
  assert.deepEqual(h.engine.calls, ['First sentence.'], 'the first sentence started before the text ended');
  assert.ok(h.events.some((e) => e.type === 'audio-chunk'));
  h.session.chunk('ond one');
  await h.session.synthesize('First sentence. Second one', {});
  await h.session.stop();
  assert.deepEqual(h.engine.calls, ['First sentence.', 'Second one']);
  assert.deepEqual(h.types(), [`audio-start ${RATE}/2/1`, 'audio-chunk', 'audio-stop', 'synthesize-stopped']);
  assert.equal(h.results.length, 1);
  assert.equal(h.results[0]!.streaming, true);
});

test('an engine failure inside a stream is one error, then synthesize-stopped, and later sentences are skipped', async () => {
  const h = harness();
  await h.session.start({});
  h.session.chunk('This one works. This one will FAIL. ');
  h.session.chunk('This one is never spoken. ');
  h.session.chunk('Nor this.');
  await h.session.stop();
  assert.deepEqual(h.engine.calls, ['This one works.', 'This one will FAIL.']);
  assert.deepEqual(h.types(), [`audio-start ${RATE}/2/1`, 'audio-chunk', 'error', 'synthesize-stopped']);
  assert.equal(h.events.find((e) => e.type === 'error')!.code, 'SAT_ERR_TTS_ENGINE');
  assert.deepEqual(h.results.map((r) => [r.ok, r.code]), [[false, 'SAT_ERR_TTS_ENGINE']]);
});

test('streamed text past the limit is refused once and the stream still ends with synthesize-stopped', async () => {
  const h = harness({ maxTextChars: 30 });
  await h.session.start({});
  h.session.chunk('Short start. ');
  h.session.chunk('This makes the text far too long.');
  h.session.chunk('More.');
  await h.session.stop();
  assert.deepEqual(h.types().filter((t) => t === 'error' || t === 'synthesize-stopped'), ['error', 'synthesize-stopped']);
  assert.equal(h.events.find((e) => e.type === 'error')!.code, 'SAT_ERR_TTS_TEXT_TOO_LONG');
});

test('chunk and stop without start are coded errors; a second start finishes the open stream first', async () => {
  const h = harness();
  assert.throws(() => h.session.chunk('x'), { code: 'SAT_ERR_TTS_NO_STREAM' });
  await assert.rejects(h.session.stop(), { code: 'SAT_ERR_TTS_NO_STREAM' });
  await h.session.start({});
  h.session.chunk('One.');
  await h.session.start({});
  h.session.chunk('Two.');
  await h.session.stop();
  assert.deepEqual(h.types(), [`audio-start ${RATE}/2/1`, 'audio-chunk', 'audio-stop', 'synthesize-stopped', `audio-start ${RATE}/2/1`, 'audio-chunk', 'audio-stop', 'synthesize-stopped']);
});

test('cached sentences are reported and come back as the same bytes', async () => {
  const cache = new TtsCache({ maxEntries: 10, maxBytes: 1 << 20 });
  const h = harness({ cache });
  await h.session.synthesize('Repeat me. Please.', undefined);
  const first = h.bytes();
  await h.session.synthesize('Repeat me. Please.', undefined);
  assert.equal(h.bytes(), first * 2);
  assert.deepEqual(h.engine.calls, ['Repeat me.', 'Please.']);
  assert.deepEqual(h.results.map((r) => r.cachedSentences), [0, 2]);
});

test('closing the session cancels the synthesis in progress and nothing more is sent', async () => {
  const h = harness();
  await h.session.start({});
  h.session.chunk('One sentence. Two sentence. Three sentence. Four.');
  await sleep(1);
  h.abort.abort();
  h.session.close();
  await sleep(30);
  assert.ok(h.engine.calls.length < 4);
  assert.equal(h.events.some((e) => e.type === 'audio-stop' || e.type === 'synthesize-stopped'), false);
});
