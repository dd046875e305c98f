import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { hasCommand, need } from '../../helpers/system.js';
import {
  KOKORO_FIXTURE_RATE,
  PIPER_FIXTURE_RATE,
  PIPER_SAMPLES_PER_ID,
  systemEspeakDataDir,
  writeKokoroFixture,
  writePiperFixture,
  writeRawPiperVoice,
} from '../../../scripts/fixtures/tts-fixtures.js';
import { connect, describeInfo, shape, streamText, synthesize } from './provider-tts-client.js';

const ESPEAK_DATA = systemEspeakDataDir();
const RESCAN_WAIT_MS = 10_000;
const ready = ESPEAK_DATA !== null && hasCommand('espeak-ng');

interface VoiceInfo {
  name: string;
  languages: string[];
  speakers: Array<{ name: string }> | null;
}

async function voices(port: number): Promise<VoiceInfo[]> {
  const programs = (await describeInfo(port))['tts'] as Array<{ voices: VoiceInfo[] }>;
  return programs[0]?.voices ?? [];
}

async function waitForVoices(port: number, check: (names: string[]) => boolean): Promise<VoiceInfo[]> {
  const deadline = Date.now() + RESCAN_WAIT_MS;
  for (;;) {
    const list = await voices(port);
    if (check(list.map((v) => v.name))) return list;
    if (Date.now() > deadline) throw new Error(`voices never matched; have ${list.map((v) => v.name).join(', ')}`);
    await sleep(50);
  }
}

describe('Piper and Kokoro voices found under models_dir, over Wyoming', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;
  let modelsDir = '';
  let elsewhere = '';

  before(async () => {
    if (!ready) return;
    modelsDir = mkdtempSync(path.join(os.tmpdir(), 'tts-models-'));
    writePiperFixture(path.join(modelsDir, 'en_US-fixture-x_low'), { espeakDataDir: ESPEAK_DATA! });
    writeKokoroFixture(path.join(modelsDir, 'kokoro-fixture'), { espeakDataDir: ESPEAK_DATA! });
    writeRawPiperVoice(path.join(modelsDir, 'from-wyoming-piper'));
    // a voice outside models_dir, named in the config
    elsewhere = mkdtempSync(path.join(os.tmpdir(), 'tts-elsewhere-'));
    writePiperFixture(elsewhere, { name: 'outside', espeakDataDir: ESPEAK_DATA! });
    daemon = await startTestDaemon({
      models_dir: modelsDir,
      tts: { espeak: { voices: ['en-us'] }, piper: [{ model: path.join(elsewhere, 'outside.onnx'), name: 'configured-voice' }] },
    });
  });
  after(async () => {
    await daemon?.stop();
    for (const dir of [modelsDir, elsewhere]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('voices under models_dir and in the config are advertised Piper first, and a request without a voice uses the first Piper voice', async (t) => {
    if (!need(t, ready, 'espeak-ng and its data are needed for the voice fixtures')) return;
    const list = await voices(daemon!.providerPort);
    assert.deepEqual(list.map((v) => v.name), ['en_US-fixture-x_low', 'configured-voice', 'af_heart', 'am_adam', 'espeak-ng-en-us']);
    assert.deepEqual(list[0]!.languages, ['en_US']);
    assert.ok(daemon!.logs.some((l) => l.includes('import-piper')), 'the unconverted wyoming-piper voice gets a hint in the log');

    const client = await connect(daemon!.providerPort);
    try {
      const piper = await synthesize(client, 'Hello from the fixture voice.');
      assert.deepEqual(shape(piper.types), ['audio-start', 'audio-chunk*', 'audio-stop']);
      assert.equal(piper.format?.rate, PIPER_FIXTURE_RATE);
      assert.equal(piper.samples.length % PIPER_SAMPLES_PER_ID, 0);
      assert.ok(piper.samples.length > 10 * PIPER_SAMPLES_PER_ID);

      const kokoro = await streamText(client, ['Kokoro speaks', ' here. And here.'], { name: 'am_adam' });
      assert.deepEqual(shape(kokoro.types), ['audio-start', 'audio-chunk*', 'audio-stop', 'synthesize-stopped']);
      assert.equal(kokoro.format?.rate, KOKORO_FIXTURE_RATE);
      assert.ok(kokoro.samples.length > 0);
    } finally {
      client.close();
    }
  });

  test('a voice installed while running appears after models-changed, and a removed one disappears', async (t) => {
    if (!need(t, ready, 'espeak-ng and its data are needed for the voice fixtures')) return;
    writePiperFixture(path.join(modelsDir, 'second'), { name: 'en_US-second-x_low', espeakDataDir: ESPEAK_DATA!, speakers: ['alice', 'bob'] });
    daemon!.context.bus.emit('models-changed', { kind: 'tts' });
    const list = await waitForVoices(daemon!.providerPort, (names) => names.includes('en_US-second-x_low'));
    assert.deepEqual(list.find((v) => v.name === 'en_US-second-x_low')!.speakers, [{ name: 'alice' }, { name: 'bob' }]);

    const client = await connect(daemon!.providerPort);
    try {
      const bob = await synthesize(client, 'Bob is speaking.', { name: 'en_US-second-x_low', speaker: 'bob' });
      assert.deepEqual(shape(bob.types), ['audio-start', 'audio-chunk*', 'audio-stop']);

      rmSync(path.join(modelsDir, 'kokoro-fixture'), { recursive: true, force: true });
      daemon!.context.bus.emit('models-changed', { kind: 'tts' });
      await waitForVoices(daemon!.providerPort, (names) => !names.includes('af_heart'));
      assert.equal((await synthesize(client, 'Hello.', { name: 'af_heart' })).error?.code, 'SAT_ERR_TTS_UNKNOWN_VOICE');
      assert.equal(daemon!.context.speech.ids('tts').length, 4);
      const configured = await synthesize(client, 'From the config.', { name: 'configured-voice' });
      assert.equal(configured.format?.rate, PIPER_FIXTURE_RATE);
    } finally {
      client.close();
    }
  });
});
