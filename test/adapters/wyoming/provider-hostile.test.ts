/**
 * Hostile and overloaded peers against the real daemon over real TCP: each test replays a pattern
 * that once disabled speech-to-text for everyone, and checks the daemon keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { ZIPFORMER, clipAs, hasZipformer } from '../../helpers/stt-fixtures.js';
import { encodeFrame } from '../../../src/wyoming/frame.js';
import { eventFrame } from '../../../src/wyoming/events.js';
import type { SherpaOnlineEngine } from '../../../src/engines/asr/sherpa-online/sherpa-online.js';

const MONO16 = { rate: 16_000, width: 2, channels: 1 };
/** A peer's frames in one write, as a single TCP segment would bring them. */
const oneWrite = (...frames: Array<Parameters<typeof eventFrame>>) => Buffer.concat(frames.map((f) => encodeFrame(eventFrame(...f))));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function transcribeClip(port: number, file = 'piper-this-is-a-test.wav', localAddress?: string): Promise<string> {
  const client = await WyomingTestClient.connect(port, '127.0.0.1', localAddress);
  try {
    client.send('transcribe', {});
    sendAudio(client, clipAs(file, 16_000, 1).pcm, MONO16);
    const answer = await client.waitFor((f) => f.type === 'transcript' || f.type === 'error', 60_000);
    if (answer.type === 'error') throw new Error(`${String(answer.data['code'])}: ${String(answer.data['text'])}`);
    return String(answer.data['text']);
  } finally {
    client.close();
  }
}

describe('hostile peers on the provider endpoint', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;
  const engine = () => daemon!.context.speech.engine('asr', ZIPFORMER) as unknown as SherpaOnlineEngine;

  before(async () => {
    if (!hasZipformer()) return;
    // Provider limits are the built-in defaults: what a Home Assistant user runs.
    daemon = await startTestDaemon({ models_dir: sharedModel(), stt: { default_model: ZIPFORMER } });
  });
  after(async () => daemon?.stop());

  test('sixteen peers that open a stream and break the protocol in the same write leave no stream behind', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const badPing = encodeFrame({ type: 'ping', data: { text: 5 } });
    for (const width of [3, 2]) {
      const peers = await Promise.all(Array.from({ length: 16 }, (_, i) => WyomingTestClient.connect(daemon!.providerPort, '127.0.0.1', `127.0.3.${i + 1}`)));
      for (const peer of peers) {
        peer.writeRaw(Buffer.concat([oneWrite(['transcribe', {}], ['audio-start', { rate: 16_000, width, channels: 1, timestamp: null }]), badPing]));
      }
      for (const peer of peers) await peer.waitClosed();
      await until(() => engine().activeStreams === 0, 10_000, 'every recogniser stream to be released');
    }
    assert.match(await transcribeClip(daemon!.providerPort), /TEST/i);
    await until(() => engine().activeStreams === 0, 10_000, 'the last request to release its stream');
  });

  test('a 4 MiB chunk declared at 100 Hz is refused before conversion, on speech-to-text and wake alike', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const before = process.memoryUsage().rss;
    const payload = Buffer.alloc(4 * 1024 * 1024, 0x80);
    const stt = await WyomingTestClient.connect(daemon!.providerPort);
    stt.send('transcribe', {});
    stt.send('audio-start', { rate: 100, width: 1, channels: 1, timestamp: null });
    stt.send('audio-chunk', { rate: 100, width: 1, channels: 1, timestamp: null }, payload);
    assert.equal((await stt.waitForType('error', 20_000)).data['code'], 'SAT_ERR_AUDIO_FORMAT');
    // Valid rate, but 262 s in one chunk: refused by its declared duration, not by converting it.
    const long = await WyomingTestClient.connect(daemon!.providerPort);
    long.send('transcribe', {});
    long.send('audio-start', { ...MONO16, width: 1, timestamp: null });
    long.send('audio-chunk', { ...MONO16, width: 1, timestamp: null }, payload);
    assert.equal((await long.waitForType('error', 20_000)).data['code'], 'SAT_ERR_UTTERANCE_TOO_LONG');
    const wake = await WyomingTestClient.connect(daemon!.providerPort);
    wake.send('detect', { names: null });
    wake.send('audio-start', { rate: 100, width: 1, channels: 1, timestamp: null });
    wake.send('audio-chunk', { rate: 100, width: 1, channels: 1, timestamp: null }, payload);
    wake.send('audio-chunk', { ...MONO16, width: 1, timestamp: null }, payload);
    assert.equal((await wake.waitForType('error', 20_000)).data['code'], 'SAT_ERR_AUDIO_FORMAT');
    const longWake = await WyomingTestClient.connect(daemon!.providerPort);
    longWake.send('detect', { names: null });
    longWake.send('audio-chunk', { ...MONO16, width: 1, timestamp: null }, payload);
    assert.equal((await longWake.waitForType('error', 20_000)).data['code'], 'SAT_ERR_AUDIO_CHUNK_TOO_LONG');
    const grew = (process.memoryUsage().rss - before) / 1024 / 1024;
    assert.ok(grew < 200, `RSS grew by ${grew.toFixed(0)} MB`);
    const probe = await WyomingTestClient.connect(daemon!.providerPort);
    probe.send('describe', {});
    await probe.waitForType('info');
    for (const c of [stt, long, wake, longWake, probe]) c.close();
  });

  test('audio of 400 peers that vanish mid-stream is not decoded, and the next request is served', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const pcm = clipAs('jfk.wav', 16_000, 1).pcm.subarray(0, Math.round(2.7 * 16_000) * 2);
    const decodedBefore = engine().decodedSeconds;
    const sent = 400 * 2.7;
    for (let wave = 0; wave < 8; wave++) {
      const peers = await Promise.all(Array.from({ length: 50 }, (_, i) => WyomingTestClient.connect(daemon!.providerPort, '127.0.0.1', `127.0.4.${i + 1}`)));
      for (const peer of peers) {
        peer.send('transcribe', {});
        sendAudio(peer, pcm, MONO16, 100, false);
      }
      for (const peer of peers) peer.close();
    }
    // A generous deadline: decoding the 1080 s these peers sent would take far longer.
    const started = Date.now();
    assert.match(await transcribeClip(daemon!.providerPort), /TEST/i);
    const decoded = engine().decodedSeconds - decodedBefore;
    process.stdout.write(`# next request answered after ${Date.now() - started} ms; ${decoded.toFixed(0)} of ${sent} s of vanished audio decoded\n`);
    assert.ok(decoded < sent / 4, `${decoded.toFixed(0)} s of the ${sent} s sent by vanished peers were decoded`);
    await until(() => engine().activeStreams === 0, 10_000, 'every stream to be released');
  });

  test('with default limits, 64 peers asking for speech-to-text at once are all answered', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const texts = await Promise.all(Array.from({ length: 64 }, (_, i) => transcribeClip(daemon!.providerPort, 'piper-this-is-a-test.wav', `127.0.5.${i + 1}`)));
    assert.equal(texts.filter((text) => /TEST/i.test(text)).length, 64);
  });

  test('with default limits, 64 peers asking for speech at once are all answered', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const speak = async (i: number) => {
      const client = await WyomingTestClient.connect(daemon!.providerPort, '127.0.0.1', `127.0.6.${i + 1}`);
      try {
        client.send('synthesize', { text: `Request number ${i} is being answered.` });
        const end = await client.waitFor((f) => f.type === 'audio-stop' || f.type === 'error', 60_000);
        assert.equal(end.type, 'audio-stop', JSON.stringify(end.data));
        return client.frames.filter((f) => f.type === 'audio-chunk').reduce((n, f) => n + (f.payload?.length ?? 0), 0);
      } finally {
        client.close();
      }
    };
    const bytes = await Promise.all(Array.from({ length: 64 }, (_, i) => speak(i)));
    assert.ok(bytes.every((n) => n > 16_000), 'every reply carries audio');
  });
});
