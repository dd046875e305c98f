/**
 * Captions and replies from provider requests reach a watching page: a Wyoming client streams a
 * clip to the provider's streaming recogniser (the shared zipformer) while a viewer holds the live
 * stream, and the viewer sees partial captions labelled `provider` grow into the final under one
 * id; a Wyoming TTS request shows up as a spoken reply. Requests over the HTTP file endpoints and
 * Realtime (what the page's own "Try it" sends) are captioned the same way, labelled with their
 * front end; a reply the page plays again is not listed twice.
 */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readClip } from '../../../helpers/clips.js';
import { need } from '../../../helpers/system.js';
import { WyomingTestClient } from '../../../helpers/wyoming-client.js';
import { sharedModel } from '../../../helpers/system.js';
import { haveEspeak, haveModels, startHttpDaemon } from '../http-daemon.js';
import { clipPcm24, RawClient } from '../realtime/realtime-harness.js';

const CLIP = 'librispeech-1089-134691-0000.wav';

interface LiveEvent {
  type: string;
  data: Record<string, any>;
}

/** Reads server-sent events into `events` until the stream ends. */
function collect(body: ReadableStream<Uint8Array>, events: LiveEvent[]): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) as Record<string, any> });
      }
    }
  })();
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a provider transcription shows as partial captions growing into the final, and a provider TTS request as a reply', async (t) => {
  if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared models missing')) return;
  const daemon = await startHttpDaemon();
  const abort = new AbortController();
  let reading: Promise<void> | undefined;
  try {
    const live = await fetch(`${daemon.url}/ui/api/live`, { signal: abort.signal });
    const events: LiveEvent[] = [];
    reading = collect(live.body!, events);
    await until('the snapshot', () => events.some((e) => e.type === 'snapshot'));

    const client = await WyomingTestClient.connect(daemon.providerPort);
    client.send('transcribe', { language: 'en' });
    const clip = readClip(CLIP);
    // Paced (four times real time) so the recogniser reports partials while the audio still streams.
    const chunkBytes = 3200;
    client.send('audio-start', { ...clip.format, timestamp: null });
    for (let at = 0; at < clip.pcm.length; at += chunkBytes) {
      client.send('audio-chunk', { ...clip.format, timestamp: null }, clip.pcm.subarray(at, at + chunkBytes));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Partials count only while the audio is open (a first load may still be decoding the backlog).
    await client.waitForType('transcript-chunk', 15_000);
    client.send('audio-stop', { timestamp: null });
    const transcript = await client.waitForType('transcript', 30_000);
    const chunks = client.types().filter((type) => type === 'transcript-chunk').length;
    client.close();
    await until('the final caption', () => events.some((e) => e.type === 'caption' && e.data['final'] === true));
    const captions = events.filter((e) => e.type === 'caption').map((e) => e.data);
    const partials = captions.filter((c) => !c['final']);
    const final = captions.find((c) => c['final'])!;
    assert.ok(chunks > 0, 'the client got transcript chunks');
    assert.ok(partials.length > 0, `partial captions arrived while the clip was decoded (${JSON.stringify(captions)})`);
    assert.ok(captions.every((c) => c['source'] === 'provider' && c['via'] === 'wyoming'));
    assert.ok(partials.every((p) => p['id'] === final['id']), 'the partials and their final are one caption');
    assert.equal(final['text'], String(transcript.data['text']).trim());

    const tts = await WyomingTestClient.connect(daemon.providerPort);
    tts.send('synthesize', { text: 'a reply from the provider' });
    await tts.waitForType('audio-stop', 30_000);
    tts.close();
    await until('the reply', () => events.some((e) => e.type === 'reply'));
    const reply = events.find((e) => e.type === 'reply')!.data;
    assert.equal(reply['text'], 'a reply from the provider');
    assert.equal(reply['source'], 'provider');
    assert.equal(reply['via'], 'wyoming');
  } finally {
    abort.abort();
    await reading;
    await daemon.stop();
  }
});

test('HTTP file requests and Realtime sessions are captioned with their front end; a replayed reply is not listed again', async (t) => {
  if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared models missing')) return;
  const daemon = await startHttpDaemon();
  const abort = new AbortController();
  let reading: Promise<void> | undefined;
  let realtime: RawClient | undefined;
  try {
    const live = await fetch(`${daemon.url}/ui/api/live`, { signal: abort.signal });
    const events: LiveEvent[] = [];
    reading = collect(live.body!, events);
    await until('the snapshot', () => events.some((e) => e.type === 'snapshot'));
    const captions = () => events.filter((e) => e.type === 'caption').map((e) => e.data);
    const replies = () => events.filter((e) => e.type === 'reply').map((e) => e.data);

    // The file endpoint, as the page's "drop a WAV" sends it.
    const form = new FormData();
    form.append('file', new Blob([readFileSync(sharedModel('test-wavs', CLIP))]), CLIP);
    form.append('model', 'whisper-1');
    const transcribed = (await (await fetch(`${daemon.url}/v1/audio/transcriptions`, { method: 'POST', body: form })).json()) as { text: string };
    await until('the HTTP caption', () => captions().some((c) => c['via'] === 'http'));
    const httpCaption = captions().find((c) => c['via'] === 'http')!;
    assert.equal(httpCaption['source'], 'provider');
    assert.equal(httpCaption['final'], true);
    assert.equal(httpCaption['text'], transcribed.text.trim());

    // Speech, as the page's "Try it" sends it, then the same text played again from the reply list.
    const speak = (input: string, headers: Record<string, string> = {}) =>
      fetch(`${daemon.url}/v1/audio/speech`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ model: 'tts-1', input, response_format: 'wav' }) }).then((r) => r.arrayBuffer());
    await speak('spoken over http');
    await speak('played again', { 'X-Satellite-Replay': '1' });
    await until('the HTTP reply', () => replies().some((r) => r['via'] === 'http'));

    // Realtime: a manually committed clip, then a response with text.
    realtime = await RawClient.open(`${daemon.url.replace('http:', 'ws:')}/v1/realtime?model=gpt-realtime`);
    await realtime.next('session.created');
    realtime.send({ type: 'session.update', session: { audio: { input: { turn_detection: null } } } });
    await realtime.next('session.updated');
    await realtime.stream(clipPcm24(CLIP));
    realtime.send({ type: 'input_audio_buffer.commit' });
    const committed = await realtime.next('input_audio_buffer.committed');
    const completed = await realtime.next('conversation.item.input_audio_transcription.completed');
    realtime.send({ type: 'response.create', response: { instructions: 'spoken over realtime' } });
    await realtime.next('response.done');
    await until('the Realtime caption', () => captions().some((c) => c['via'] === 'realtime' && c['final']));
    await until('the Realtime reply', () => replies().some((r) => r['via'] === 'realtime'));

    const realtimeCaptions = captions().filter((c) => c['via'] === 'realtime');
    const final = realtimeCaptions.find((c) => c['final'])!;
    assert.equal(final['text'], String(completed['transcript']).trim());
    // Partials of the item (if any arrived while it was decoded) grew into its final under one id.
    assert.ok(realtimeCaptions.every((c) => c['id'] === final['id']), `one caption per item (${JSON.stringify(realtimeCaptions)}, item ${committed['item_id']})`);
    assert.deepEqual(
      replies().map((r) => [r['via'], r['text']]),
      [
        ['http', 'spoken over http'],
        ['realtime', 'spoken over realtime'],
      ],
    );
  } finally {
    realtime?.close();
    abort.abort();
    await reading;
    await daemon.stop();
  }
});
