import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { floatToInt16Bytes, resample } from '../../../src/audio/pcm.js';
import type { CoreEvents } from '../../../src/core/bus.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';
import { hasModel, paddedClip } from '../../engines/wake/wake-helpers.js';
import type { OpenWakeWordEngine } from '../../../src/engines/wake/openwakeword/openwakeword.js';

const OWW = sharedModel('openwakeword');
const KWS = sharedModel('kws-zipformer-gigaspeech-3.3M-mobile');
const HA_FORMAT = { rate: 16_000, width: 2, channels: 1 };
/** Home Assistant streams 10 ms chunks with its own ms timestamps. */
const HA_CHUNK_SAMPLES = 160;

/** A models folder with links to the shared wake models only. */
function modelsDir(t: { after: (fn: () => void) => void }, folders: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wake-provider-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, target] of Object.entries(folders)) symlinkSync(target, path.join(dir, name));
  return dir;
}

/** Streams audio exactly as HA does: chunks with timestamps, no audio-stop. */
function streamLikeHa(client: WyomingTestClient, samples: Float32Array, startMs = 0): number {
  const pcm = floatToInt16Bytes(samples);
  let ms = startMs;
  for (let at = 0; at < pcm.length; at += HA_CHUNK_SAMPLES * 2) {
    client.send('audio-chunk', { ...HA_FORMAT, timestamp: ms }, pcm.subarray(at, at + HA_CHUNK_SAMPLES * 2));
    ms += 10;
  }
  return ms;
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function daemonWith(t: { after: (fn: () => Promise<void> | void) => void }, dir: string, wake: Record<string, unknown> = {}): Promise<TestDaemon> {
  const daemon = await startTestDaemon({ models_dir: dir, wake });
  t.after(() => daemon.stop());
  return daemon;
}

test("Home Assistant's wake flow: detect, endless audio, a detection per wake word, and closing frees the session", async (t) => {
  if (!need(t, hasModel(OWW) && hasModel(KWS), 'shared wake models missing')) return;
  const daemon = await daemonWith(t, modelsDir(t, { openwakeword: OWW, 'kws-en': KWS }));
  const detections: Array<CoreEvents['wake-detected']> = [];
  daemon.context.bus.on('wake-detected', 'test', (e) => detections.push(e));

  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());
  client.send('describe', {});
  const info = await client.waitForType('info');
  const wake = (info.data['wake'] as Array<{ name: string; installed: boolean; models: Array<{ name: string; phrase: string; languages: string[] }> }>)[0]!;
  assert.equal(wake.installed, true);
  const models = new Map(wake.models.map((m) => [m.name, m]));
  for (const name of ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy', 'alexa_kws', 'fellow_americans']) assert.ok(models.has(name), `info lists ${name}`);
  assert.equal(models.get('hey_jarvis')!.phrase, 'Hey Jarvis');
  assert.deepEqual(models.get('alexa')!.languages, ['en']);
  assert.equal(info.data['satellite'], undefined, 'the provider endpoint is no satellite');

  client.send('detect', { names: ['alexa'] });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  let ms = streamLikeHa(client, paddedClip('oww-alexa.wav'));
  const first = await client.waitForType('detection');
  assert.equal(first.data['name'], 'alexa');
  assert.equal(typeof first.data['timestamp'], 'number');

  ms = streamLikeHa(client, paddedClip('oww-hey-mycroft.wav'), ms);
  ms = streamLikeHa(client, paddedClip('oww-alexa.wav'), ms);
  const from = client.frames.indexOf(first) + 1;
  const second = await client.waitForType('detection', 10_000, from);
  assert.equal(second.data['name'], 'alexa', 'the connection stays open for further detections');
  assert.ok((second.data['timestamp'] as number) > (first.data['timestamp'] as number));
  assert.deepEqual(
    client.frames.filter((f) => f.type === 'detection').map((f) => f.data['name']),
    ['alexa', 'alexa'],
    'hey mycroft was not asked for',
  );
  assert.ok(!client.types().includes('not-detected'), 'no not-detected without audio-stop');
  assert.deepEqual(
    detections.map((d) => [d.name, d.phrase, d.source]),
    [
      ['alexa', 'Alexa', 'provider'],
      ['alexa', 'Alexa', 'provider'],
    ],
  );

  const engine = daemon.context.speech.engine('wake', 'openwakeword')!;
  assert.equal(engine.sessionCount, 1);
  client.close();
  await waitUntil(() => engine.sessionCount === 0, 'the closed connection has released its session');
  await waitUntil(() => (daemon.stats.snapshot().services['wake']?.requests ?? 0) >= 1, 'the stream is counted');
});

test('names null uses the configured default; audio-stop without a wake word answers not-detected', async (t) => {
  if (!need(t, hasModel(OWW), 'shared openWakeWord models missing')) return;
  const daemon = await daemonWith(t, modelsDir(t, { openwakeword: OWW }), { default_model: 'hey_mycroft' });
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());

  client.send('detect', { names: null });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, paddedClip('oww-hey-mycroft.wav'));
  client.send('audio-stop', { timestamp: null });
  const detection = await client.waitForType('detection');
  assert.equal(detection.data['name'], 'hey_mycroft');

  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, paddedClip('oww-alexa.wav'));
  client.send('audio-stop', { timestamp: null });
  await client.waitForType('not-detected');
  assert.deepEqual(
    client.types().filter((type) => type === 'detection' || type === 'not-detected'),
    ['detection', 'not-detected'],
    'not-detected only for the stream where nothing fired',
  );
});

test('odd audio formats are converted, and an unknown wake word is a coded error that leaves the connection usable', async (t) => {
  if (!need(t, hasModel(OWW) && hasModel(KWS), 'shared wake models missing')) return;
  const daemon = await daemonWith(t, modelsDir(t, { openwakeword: OWW, 'kws-en': KWS }));
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());

  client.send('detect', { names: ['okay_nabu'] });
  const error = await client.waitForType('error');
  assert.equal(error.data['code'], 'SAT_ERR_WAKE_MODEL_NOT_FOUND');
  assert.match(String(error.data['text']), /installed: alexa/);

  // 44.1 kHz stereo, as a client with a different microphone might send
  const format = { rate: 44_100, width: 2, channels: 2 };
  const mono = floatToInt16Bytes(resample(paddedClip('oww-alexa.wav'), 16_000, format.rate));
  const stereo = Buffer.alloc(mono.length * 2);
  for (let i = 0; i < mono.length / 2; i++) {
    stereo.writeInt16LE(mono.readInt16LE(i * 2), i * 4);
    stereo.writeInt16LE(mono.readInt16LE(i * 2), i * 4 + 2);
  }
  client.send('detect', { names: ['alexa', 'fellow_americans'] });
  client.send('audio-start', { ...format, timestamp: null });
  const bytesPerChunk = 4 * 1_000 + 2; // not frame-aligned on purpose
  for (let at = 0; at < stereo.length; at += bytesPerChunk) client.send('audio-chunk', { ...format, timestamp: null }, stereo.subarray(at, at + bytesPerChunk));
  const detection = await client.waitForType('detection');
  assert.equal(detection.data['name'], 'alexa');

  client.send('audio-chunk', { rate: 16_000, width: 3, channels: 1, timestamp: null }, Buffer.alloc(6));
  const from = client.frames.indexOf(error) + 1;
  const formatError = await client.waitForType('error', 5_000, from);
  assert.equal(formatError.data['code'], 'SAT_ERR_AUDIO_FORMAT');

  const jfk = paddedClip('jfk.wav').subarray(0, 16_000 * 5);
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, jfk);
  const spotted = await client.waitFor((f) => f.type === 'detection' && f.data['name'] === 'fellow_americans', 10_000);
  assert.ok(spotted, 'the keyword spotter answers on the same connection');
});

test('a wake model folder linked in later appears in info, under the same wake program, with no restart', async (t) => {
  if (!need(t, hasModel(OWW), 'shared openWakeWord models missing')) return;
  const dir = modelsDir(t, {});
  const daemon = await daemonWith(t, dir);
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());
  client.send('describe', {});
  const before = await client.waitForType('info');
  const program = (before.data['wake'] as Array<{ name: string; models: unknown[] }>)[0]!;
  assert.deepEqual([program.name, program.models], ['speech-satellite-wake', []], 'the program is listed from the start (its name never changes), with no model yet');

  // The watcher on models_dir sees the new folder: nobody announces it.
  symlinkSync(OWW, path.join(dir, 'openwakeword'));
  await waitUntil(() => daemon.context.speech.ids('wake').length === 1, 'the rescan registered the engine', 15_000);
  client.send('describe', {});
  const after = await client.waitFor((f) => f.type === 'info' && f !== before);
  const wake = after.data['wake'] as Array<{ name: string; models: Array<{ name: string }> }>;
  assert.equal(wake[0]!.name, program.name);
  assert.deepEqual(
    wake[0]!.models.map((m) => m.name),
    ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'],
  );
});

test('explicit config entries: a single head with its own name and tuning, a spotter folder with extra phrases', async (t) => {
  if (!need(t, hasModel(OWW) && hasModel(KWS), 'shared wake models missing')) return;
  const dir = modelsDir(t, {});
  symlinkSync(path.join(OWW, 'alexa_v0.1.onnx'), path.join(dir, 'computer.onnx'));
  const daemon = await daemonWith(t, dir, {
    discover: false,
    openwakeword: [{ path: 'computer.onnx', backbone_dir: OWW, name: 'computer', phrase: 'Computer' }],
    words: { computer: { trigger_level: 1_000 } },
    kws: { paths: [KWS], keywords: ['hey computer :1.5 #0.3'] },
  });
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());
  client.send('describe', {});
  const info = await client.waitForType('info');
  const models = (info.data['wake'] as Array<{ models: Array<{ name: string; phrase: string }> }>)[0]!.models;
  assert.deepEqual(models[0], { ...models[0], name: 'computer', phrase: 'Computer' });
  assert.ok(models.some((m) => m.name === 'hey_computer' && m.phrase === 'Hey Computer'), 'the plain-text phrase is offered');
  assert.ok(models.some((m) => m.name === 'fellow_americans'), "the folder's keywords.txt is used too");
  assert.ok(!models.some((m) => m.name === 'hey_rhasspy'), 'discovery is off: only the configured head');

  client.send('detect', { names: ['computer'] });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, paddedClip('oww-alexa.wav'));
  client.send('audio-stop', { timestamp: null });
  await client.waitForType('not-detected');
  assert.ok(!client.types().includes('detection'), 'a trigger level of 1000 hops never fires on a short clip');
});

test('a corrupt wake word head costs one error and one warning for a whole stream, and the other words keep working', async (t) => {
  if (!need(t, hasModel(OWW), 'shared openWakeWord models missing')) return;
  const dir = modelsDir(t, {});
  const folder = path.join(dir, 'openwakeword');
  mkdirSync(folder);
  for (const file of ['melspectrogram.onnx', 'embedding_model.onnx', 'hey_jarvis_v0.1.onnx', 'hey_mycroft_v0.1.onnx']) symlinkSync(path.join(OWW, file), path.join(folder, file));
  writeFileSync(path.join(folder, 'alexa_v0.1.onnx'), Buffer.from('not an onnx model '.repeat(100)));
  const daemon = await daemonWith(t, dir);

  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());
  client.send('describe', {});
  const info = await client.waitForType('info');
  const models = (info.data['wake'] as Array<{ models: Array<{ name: string }> }>)[0]!.models.map((m) => m.name);
  assert.deepEqual(models, ['alexa', 'hey_jarvis', 'hey_mycroft'], 'the installed head stays listed');

  // 10 s in 10 ms chunks, as Home Assistant streams it
  const audio = new Float32Array(16_000 * 10);
  audio.set(paddedClip('oww-alexa.wav'), 16_000);
  client.send('detect', { names: ['alexa'] });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, audio);
  client.send('describe', {});
  await client.waitFor((f) => f.type === 'info' && f !== info, 30_000); // every chunk has been handled
  const errors = client.frames.filter((f) => f.type === 'error');
  assert.equal(errors.length, 1, `one error for the stream, got ${errors.length}`);
  assert.equal(errors[0]!.data['code'], 'SAT_ERR_MODEL_LOAD');
  assert.match(String(errors[0]!.data['text']), /alexa_v0\.1\.onnx/);
  assert.ok(!client.types().includes('detection'));

  const warnings = () =>
    daemon.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => (l['level'] === 'warn' || l['level'] === 40) && /alexa/.test(JSON.stringify(l)));
  assert.ok(warnings().length <= 1, `at most one warning about the bad head, got ${warnings().length}: ${JSON.stringify(warnings())}`);
  const engine = daemon.context.speech.engine('wake', 'openwakeword') as OpenWakeWordEngine;
  assert.equal(engine.loadAttempts, 2, 'the front end and the bad head were each tried once');

  const other = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => other.close());
  other.send('detect', { names: ['hey_mycroft'] });
  other.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(other, paddedClip('oww-hey-mycroft.wav'));
  const detection = await other.waitForType('detection');
  assert.equal(detection.data['name'], 'hey_mycroft', 'the same engine still detects its other words');
  assert.ok(!other.types().includes('error'));
  assert.ok(warnings().length <= 1);
});

test('an unknown wake word costs one error for a whole 10 s stream of 10 ms chunks; the request ends there and the connection stays usable', async (t) => {
  if (!need(t, hasModel(OWW), 'shared openWakeWord models missing')) return;
  const daemon = await daemonWith(t, modelsDir(t, { openwakeword: OWW }));
  const requests: Array<CoreEvents['provider-request']> = [];
  daemon.context.bus.on('provider-request', 'test', (e) => requests.push(e));
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());

  // As Home Assistant does it: detect, audio-start, then audio without end (no audio-stop).
  const audio = new Float32Array(16_000 * 10);
  audio.set(paddedClip('oww-alexa.wav'), 16_000); // a word the daemon knows, which must not fire either
  client.send('detect', { names: ['okay_nabu'] });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  const sentUntil = streamLikeHa(client, audio);
  assert.equal(sentUntil, 10_000, '1000 chunks of 10 ms');
  client.send('describe', {});
  await client.waitForType('info', 30_000); // every chunk before it has been handled
  const errors = client.frames.filter((f) => f.type === 'error');
  assert.equal(errors.length, 1, `one error for the stream, got ${errors.length}`);
  assert.equal(errors[0]!.data['code'], 'SAT_ERR_WAKE_MODEL_NOT_FOUND');
  assert.match(String(errors[0]!.data['text']), /okay_nabu.*installed: alexa/);
  assert.ok(!client.types().includes('detection'), 'the rest of the stream is ignored, not listened to');
  const wake = requests.filter((r) => r.service === 'wake');
  assert.deepEqual(
    wake.map((r) => [r.ok, r.code]),
    [[false, 'SAT_ERR_WAKE_MODEL_NOT_FOUND']],
    'one failed request, not one per chunk',
  );

  // The next request on the same connection is served.
  client.send('detect', { names: ['alexa'] });
  client.send('audio-start', { ...HA_FORMAT, timestamp: null });
  streamLikeHa(client, paddedClip('oww-alexa.wav'));
  const detection = await client.waitForType('detection');
  assert.equal(detection.data['name'], 'alexa');
  assert.equal(client.frames.filter((f) => f.type === 'error').length, 1);
});
