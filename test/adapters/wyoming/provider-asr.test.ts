import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { corpusWer } from '../../helpers/wer.js';
import { ZIPFORMER, clipAs, clips, hasZipformer } from '../../helpers/stt-fixtures.js';
import type { Frame } from '../../../src/wyoming/frame.js';

const WER_LIMIT = 0.15;
const FORMAT_WER_SLACK = 0.03;

/** How long to wait for a partial before closing the stream (short clips may have none). */
const PARTIAL_WAIT_MS = 1_500;

async function transcribe(port: number, file: string, rate = 16_000, channels = 1, waitPartial = true): Promise<{ text: string; frames: Frame[]; stopIndex: number }> {
  const client = await WyomingTestClient.connect(port);
  try {
    const { pcm, format } = clipAs(file, rate, channels);
    client.send('transcribe', { language: 'en' });
    sendAudio(client, pcm, format, 100, false);
    // Partials come while audio is still open; only then is the stream closed.
    if (waitPartial) await client.waitFor((f) => f.type === 'transcript-chunk', PARTIAL_WAIT_MS).catch(() => undefined);
    const stopIndex = client.frames.length;
    client.send('audio-stop', { timestamp: null });
    const transcript = await client.waitForType('transcript', 30_000);
    return { text: String(transcript.data['text']), frames: [...client.frames], stopIndex };
  } finally {
    client.close();
  }
}

describe('Wyoming asr service with the streaming zipformer', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;

  before(async () => {
    if (!hasZipformer()) return;
    daemon = await startTestDaemon({
      models_dir: sharedModel(),
      stt: { default_model: ZIPFORMER },
      engine: { idle_unload_s: 0 },
    });
  });
  after(async () => daemon?.stop());

  test('info lists only installed models and advertises transcript streaming', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const client = await WyomingTestClient.connect(daemon!.providerPort);
    client.send('describe', {});
    const info = await client.waitForType('info');
    client.close();
    const asr = (info.data['asr'] as Array<Record<string, unknown>>)[0]!;
    const models = asr['models'] as Array<{ name: string; installed: boolean; languages: string[] }>;
    assert.ok(models.some((m) => m.name === ZIPFORMER && m.installed && m.languages.includes('en')));
    assert.equal(asr['supports_transcript_streaming'], true);
    assert.ok(models.every((m) => m.installed));
  });

  test('reference clips streamed in 100 ms chunks come back within the WER limit, with partials before audio-stop', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const pairs: Array<{ reference: string; hypothesis: string }> = [];
    let withEarlyPartials = 0;
    for (const clip of clips()) {
      const r = await transcribe(daemon!.providerPort, clip.file);
      pairs.push({ reference: clip.reference, hypothesis: r.text });
      const early = r.frames.slice(0, r.stopIndex).filter((f) => f.type === 'transcript-chunk').length;
      if (early > 0) withEarlyPartials++;
      // streaming order: start, chunks, full transcript, stop
      const types = r.frames.map((f) => f.type);
      if (types.includes('transcript-start')) {
        assert.ok(types.indexOf('transcript-start') < types.indexOf('transcript'));
        assert.ok(types.lastIndexOf('transcript-stop') > types.indexOf('transcript') || !types.includes('transcript-stop'));
      }
    }
    const score = corpusWer(pairs);
    process.stdout.write(`# zipformer over Wyoming: WER ${(score * 100).toFixed(1)}% on ${pairs.length} clips\n`);
    assert.ok(score <= WER_LIMIT, `WER ${score}`);
    assert.ok(withEarlyPartials >= pairs.length / 2, `only ${withEarlyPartials} clips had partials before audio-stop`);
  });

  test('8 kHz, 44.1 kHz and stereo input transcribe within 3 points of the 16 kHz mono result', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const set = clips().slice(0, 6);
    const score = async (rate: number, channels: number) => {
      const pairs = [];
      for (const clip of set) pairs.push({ reference: clip.reference, hypothesis: (await transcribe(daemon!.providerPort, clip.file, rate, channels, false)).text });
      return corpusWer(pairs);
    };
    const base = await score(16_000, 1);
    for (const [rate, channels] of [[8_000, 1], [44_100, 1], [16_000, 2]] as const) {
      const s = await score(rate, channels);
      process.stdout.write(`# ${rate} Hz x${channels}: WER ${(s * 100).toFixed(1)}% (16 kHz mono ${(base * 100).toFixed(1)}%)\n`);
      assert.ok(s <= base + FORMAT_WER_SLACK, `${rate} Hz x${channels}: ${s} vs ${base}`);
    }
  });

  test('4 concurrent sessions on one engine all come back correct while describe is answered', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const set = clips().slice(0, 4);
    const running = set.map((clip) => transcribe(daemon!.providerPort, clip.file));
    const probe = await WyomingTestClient.connect(daemon!.providerPort);
    probe.send('describe', {});
    const info = await probe.waitForType('info', 5_000);
    probe.close();
    assert.ok(info);
    const results = await Promise.all(running);
    const score = corpusWer(set.map((clip, i) => ({ reference: clip.reference, hypothesis: results[i]!.text })));
    assert.ok(score <= WER_LIMIT, `concurrent WER ${score}`);
  });

  test('an unknown model and an unsupported language give coded errors', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const client = await WyomingTestClient.connect(daemon!.providerPort);
    client.send('transcribe', { name: 'no-such-model' });
    const e1 = await client.waitForType('error');
    assert.equal(e1.data['code'], 'SAT_ERR_MODEL_NOT_FOUND');
    const n = client.frames.length;
    client.send('transcribe', { name: ZIPFORMER, language: 'fr' });
    const e2 = await client.waitFor((f) => f.type === 'error', 5_000, n);
    assert.equal(e2.data['code'], 'SAT_ERR_UNSUPPORTED_LANGUAGE');
    // the connection still works: a valid request on it is answered
    const m = client.frames.length;
    client.send('transcribe', { language: 'en-US' });
    sendAudio(client, clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
    const tr = await client.waitFor((f) => f.type === 'transcript', 20_000, m);
    assert.match(String(tr.data['text']), /TEST/i);
    client.close();
  });

  test('bad input gets coded errors or a clean close and other sessions are unaffected', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const port = daemon!.providerPort;
    const good = transcribe(port, 'librispeech-1089-134691-0000.wav');

    const early = await WyomingTestClient.connect(port);
    early.send('audio-chunk', { rate: 16_000, width: 2, channels: 1, timestamp: null }, Buffer.alloc(320));
    assert.equal((await early.waitForType('error')).data['code'], 'SAT_ERR_NO_AUDIO_START');
    early.close();

    const width3 = await WyomingTestClient.connect(port);
    width3.send('transcribe', {});
    width3.send('audio-start', { rate: 16_000, width: 3, channels: 1, timestamp: null });
    assert.equal((await width3.waitForType('error')).data['code'], 'SAT_ERR_AUDIO_FORMAT');
    width3.close();

    const rate0 = await WyomingTestClient.connect(port);
    rate0.sendFrame({ type: 'audio-start', data: { rate: 0, width: 2, channels: 1 } });
    const e = await rate0.waitForType('error');
    assert.match(String(e.data['code']), /^WY_ERR_/);
    await rate0.waitClosed();

    const odd = await WyomingTestClient.connect(port);
    const { pcm } = clipAs('piper-this-is-a-test.wav', 16_000, 1);
    odd.send('transcribe', {});
    odd.send('audio-start', { rate: 16_000, width: 2, channels: 1, timestamp: null });
    for (let at = 0; at < pcm.length; at += 333) odd.send('audio-chunk', { rate: 16_000, width: 2, channels: 1, timestamp: null }, pcm.subarray(at, at + 333));
    odd.send('audio-stop', { timestamp: null });
    assert.match(String((await odd.waitForType('transcript', 20_000)).data['text']), /TEST/i);
    odd.close();

    const leaver = await WyomingTestClient.connect(port);
    leaver.send('transcribe', {});
    sendAudio(leaver, clipAs('jfk.wav', 16_000, 1).pcm.subarray(0, 32_000), { rate: 16_000, width: 2, channels: 1 }, 100, false);
    await new Promise((r) => setTimeout(r, 200));
    leaver.close();

    const r = await good;
    assert.match(r.text, /WAIT|LONGER/i);
    // every request above has ended: no engine stream is left behind
    const engine = daemon!.context.speech.engine('asr', ZIPFORMER) as unknown as { activeStreams: number };
    const deadline = Date.now() + 5_000;
    while (engine.activeStreams > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    assert.equal(engine.activeStreams, 0);
  });

  test('a stream past the maximum length gets SAT_ERR_UTTERANCE_TOO_LONG', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const short = await startTestDaemon({ models_dir: sharedModel(), stt: { default_model: ZIPFORMER, max_utterance_s: 2 } });
    try {
      const client = await WyomingTestClient.connect(short.providerPort);
      client.send('transcribe', {});
      sendAudio(client, clipAs('jfk.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
      assert.equal((await client.waitForType('error', 20_000)).data['code'], 'SAT_ERR_UTTERANCE_TOO_LONG');
      // the same connection can start over
      const n = client.frames.length;
      client.send('transcribe', {});
      sendAudio(client, clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
      assert.match(String((await client.waitFor((f) => f.type === 'transcript', 20_000, n)).data['text']), /TEST/i);
      client.close();
    } finally {
      await short.stop();
    }
  });

  test('each request emits provider-request and transcript on the bus', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const seen: string[] = [];
    daemon!.context.bus.on('transcript', 'test', (e) => seen.push(`transcript:${e.source}:${e.text}`));
    daemon!.context.bus.on('provider-request', 'test', (e) => seen.push(`request:${e.service}:${e.ok}`));
    await transcribe(daemon!.providerPort, 'piper-this-is-a-test.wav');
    daemon!.context.bus.removeOwner('test');
    assert.ok(seen.some((s) => /^transcript:provider:.*TEST/i.test(s)), seen.join(' | '));
    assert.ok(seen.includes('request:asr:true'));
  });
});
