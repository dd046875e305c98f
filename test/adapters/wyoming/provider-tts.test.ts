import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { hasCommand, need } from '../../helpers/system.js';
import { corpusWer } from '../../helpers/wer.js';
import { hasRecognizer, recognize } from '../../helpers/recognize.js';
import { REPLY_TIMEOUT_MS, connect, describeInfo, replyOf, shape, streamText, synthesize } from './provider-tts-client.js';

const VOICE = 'espeak-ng-en-us';
const MAX_TEXT = 400;
const SAMPLES_PER_CHUNK = 1024;
const WER_LIMIT = 0.8;
const HA_SEQUENCE = ['audio-start', 'audio-chunk*', 'audio-stop', 'synthesize-stopped'];

const hasEspeak = hasCommand('espeak-ng');

/** espeak-ng processes started by this (test) process and still running. */
function espeakChildren(): number {
  const out = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'espeak-ng'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean).length;
}

/** Sentences the daemon's synthesis has served from its cache so far. */
function service(daemon: TestDaemon): { readonly cacheHits: number } {
  return {
    get cacheHits() {
      return daemon.context.speech.settings.tts.cache?.hits ?? 0;
    },
  };
}

describe('Wyoming tts service with espeak-ng', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;

  before(async () => {
    if (!hasEspeak) return;
    daemon = await startTestDaemon({
      models_dir: mkdtempSync(path.join(os.tmpdir(), 'tts-models-')),
      tts: { max_text_chars: MAX_TEXT, espeak: { voices: ['en-us', 'en-gb', 'de'], max_concurrent: 1 } },
    });
  });
  after(async () => daemon?.stop());

  test('info offers the installed voices with languages under one program that streams', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const info = await describeInfo(daemon!.providerPort);
    const programs = info['tts'] as Array<Record<string, unknown>>;
    assert.equal(programs.length, 1);
    assert.equal(programs[0]!['supports_synthesize_streaming'], true);
    assert.equal(programs[0]!['installed'], true);
    const voices = programs[0]!['voices'] as Array<{ name: string; languages: string[]; installed: boolean; speakers: unknown }>;
    assert.deepEqual(voices.map((v) => v.name), ['espeak-ng-en-us', 'espeak-ng-en-gb', 'espeak-ng-de']);
    assert.deepEqual(voices[0]!.languages, ['en_US']);
    assert.ok(voices.every((v) => v.installed && v.speakers === null));
    // names are stable from one describe to the next
    const again = (await describeInfo(daemon!.providerPort))['tts'] as Array<{ voices: Array<{ name: string }> }>;
    assert.deepEqual(again[0]!.voices.map((v) => v.name), voices.map((v) => v.name));
  });

  test('classic synthesize answers audio-start, 1024-sample chunks and audio-stop with recognisable speech', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    if (!need(t, hasRecognizer(), 'shared zipformer recogniser missing')) return;
    const client = await connect(daemon!.providerPort);
    try {
      const text = 'Please turn off the kitchen lights. The washing machine has finished.';
      const reply = await synthesize(client, text); // no voice: HA sends none by default
      assert.deepEqual(shape(reply.types), ['audio-start', 'audio-chunk*', 'audio-stop']);
      assert.deepEqual(reply.format, { rate: 22050, width: 2, channels: 1 });
      // full chunks, except the last one of each sentence (sent at once rather than held back)
      const partial = reply.chunks.filter((c) => c.payload!.length !== SAMPLES_PER_CHUNK * 2);
      assert.ok(partial.length <= 2);
      assert.ok(reply.chunks.every((c) => c.payload!.length <= SAMPLES_PER_CHUNK * 2 && c.payload!.length % 2 === 0));
      assert.ok(reply.samples.length > 22050, 'more than a second of audio');
      const heard = await recognize(reply.samples, 22050);
      assert.ok(corpusWer([{ reference: text, hypothesis: heard }]) < WER_LIMIT, `heard "${heard}"`);
    } finally {
      client.close();
    }
  });

  test("Home Assistant's streaming sequence gets one audio-start, chunks, one audio-stop, then synthesize-stopped", async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const client = await connect(daemon!.providerPort);
    try {
      // fragments not aligned to words or sentences, as an LLM produces them
      const reply = await streamText(client, ['Good mor', 'ning. The ti', 'me is seven o', "'clock. Have a ni", 'ce day'], { name: VOICE });
      assert.deepEqual(shape(reply.types), HA_SEQUENCE);
      assert.equal(reply.types.filter((x) => x === 'audio-start').length, 1);
      assert.equal(reply.types.filter((x) => x === 'audio-stop').length, 1);
      assert.equal(reply.format?.rate, 22050);
      // three sentences of speech, not one compatibility copy on top
      const single = await synthesize(client, "Good morning. The time is seven o'clock. Have a nice day");
      assert.equal(reply.pcm.length, single.pcm.length);
    } finally {
      client.close();
    }
  });

  test('audio of an early sentence arrives before the last text chunk is sent', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const client = await connect(daemon!.providerPort);
    try {
      client.send('synthesize-start', { voice: { name: VOICE } });
      client.send('synthesize-chunk', { text: 'The first sentence is ready. ' });
      client.send('synthesize-chunk', { text: 'The second one is still being wri' });
      const first = await client.waitForType('audio-chunk', REPLY_TIMEOUT_MS);
      assert.ok(first.payload && first.payload.length > 0);
      assert.equal(client.types().includes('audio-stop'), false);
      client.send('synthesize-chunk', { text: 'tten by the model.' });
      client.send('synthesize', { text: 'The first sentence is ready. The second one is still being written by the model.' });
      client.send('synthesize-stop', {});
      await client.waitForType('synthesize-stopped', REPLY_TIMEOUT_MS);
      assert.deepEqual(shape(replyOf(client.frames).types), HA_SEQUENCE);
    } finally {
      client.close();
    }
  });

  test('a repeated request is served from the cache with identical bytes', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const tts = service(daemon!);
    const client = await connect(daemon!.providerPort);
    try {
      const text = 'The front door is open. Please close it.';
      const first = await synthesize(client, text, { name: VOICE });
      const hits = tts.cacheHits;
      const second = await synthesize(client, text, { name: VOICE });
      assert.equal(tts.cacheHits - hits, 2, 'both sentences came from the cache');
      assert.ok(second.pcm.length > 0);
      assert.ok(second.pcm.equals(first.pcm));
      const streamed = await streamText(client, ['The front door is op', 'en. Please close it.'], { name: VOICE });
      assert.equal(tts.cacheHits - hits, 4);
      assert.ok(streamed.pcm.equals(first.pcm));
      const services = daemon!.stats.snapshot().services;
      assert.ok((services['tts']?.requests ?? 0) >= 3);
    } finally {
      client.close();
    }
  });

  test('bad requests get coded errors, the connection keeps working and other clients are served', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const client = await connect(daemon!.providerPort);
    const other = await connect(daemon!.providerPort);
    try {
      const otherReply = synthesize(other, 'Another client is being served at the same time.', { name: VOICE });
      assert.equal((await synthesize(client, 'Hello.', { name: 'no-such-voice' })).error?.code, 'SAT_ERR_TTS_UNKNOWN_VOICE');
      assert.equal((await synthesize(client, 'Hello.', { name: VOICE, speaker: 'nobody' })).error?.code, 'SAT_ERR_TTS_UNKNOWN_SPEAKER');
      assert.equal((await synthesize(client, '   ')).error?.code, 'SAT_ERR_TTS_EMPTY_TEXT');
      assert.equal((await synthesize(client, 'word '.repeat(MAX_TEXT))).error?.code, 'SAT_ERR_TTS_TEXT_TOO_LONG');

      let from = client.frames.length;
      client.send('synthesize-chunk', { text: 'no stream is open' });
      const orphan = await client.waitForType('error', REPLY_TIMEOUT_MS, from);
      assert.equal(orphan.data['code'], 'SAT_ERR_TTS_NO_STREAM');

      const unknown = await streamText(client, ['Hello there.'], { name: 'no-such-voice' });
      assert.deepEqual(unknown.types, ['error', 'synthesize-stopped']);
      assert.equal(unknown.error?.code, 'SAT_ERR_TTS_UNKNOWN_VOICE');

      const long = await streamText(client, ['word '.repeat(MAX_TEXT / 10), 'word '.repeat(MAX_TEXT / 4)], { name: VOICE });
      assert.equal(long.error?.code, 'SAT_ERR_TTS_TEXT_TOO_LONG');
      assert.equal(long.types.at(-1), 'synthesize-stopped');

      const empty = await streamText(client, ['  ', '\n'], { name: VOICE });
      assert.deepEqual(empty.types, ['error', 'synthesize-stopped']);
      assert.equal(empty.error?.code, 'SAT_ERR_TTS_EMPTY_TEXT');

      from = client.frames.length;
      const good = await synthesize(client, 'Still working.', { name: VOICE });
      assert.deepEqual(shape(good.types), ['audio-start', 'audio-chunk*', 'audio-stop']);
      const theirs = await otherReply;
      assert.deepEqual(shape(theirs.types), ['audio-start', 'audio-chunk*', 'audio-stop']);
      assert.ok(theirs.samples.length > 22050);
      assert.equal(client.closed, false);
      const failed = daemon!.stats.snapshot().services['tts']?.errors ?? 0;
      assert.ok(failed >= 7);
    } finally {
      client.close();
      other.close();
    }
  });

  test('a client that disconnects mid-synthesis cancels the work and frees the engine', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const long = Array.from({ length: 8 }, (_, i) => `Sentence ${i + 1} of an announcement nobody hears.`).join(' ');
    assert.ok(long.length <= MAX_TEXT);
    const results: Array<{ ok: boolean; code?: string | undefined }> = [];
    daemon!.context.bus.on('provider-request', 'test', (r) => results.push(r));
    const client = await connect(daemon!.providerPort);
    client.send('synthesize', { text: long, voice: { name: VOICE } });
    await client.waitForType('audio-chunk', REPLY_TIMEOUT_MS);
    client.close();
    // espeak runs one request at a time here: the next client gets through only if it was freed
    const next = await connect(daemon!.providerPort);
    try {
      const reply = await synthesize(next, 'The engine is free again.', { name: VOICE });
      assert.deepEqual(shape(reply.types), ['audio-start', 'audio-chunk*', 'audio-stop']);
      for (let i = 0; i < 20 && espeakChildren() > 0; i++) await sleep(50);
      assert.equal(espeakChildren(), 0, 'no espeak-ng process left running');
      assert.equal(results[0]?.code, 'SAT_ERR_CANCELLED');
      // sentences after the disconnect were never synthesised, so they are not in the cache
      const hits = service(daemon!).cacheHits;
      await synthesize(next, long, { name: VOICE });
      assert.ok(service(daemon!).cacheHits - hits < 8);
      daemon!.context.bus.removeOwner('test');
    } finally {
      next.close();
    }
  });
});
