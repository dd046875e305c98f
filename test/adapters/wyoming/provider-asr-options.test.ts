import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { floatToInt16Bytes } from '../../../src/audio/pcm.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { ZIPFORMER, clipSamples, hasSilero, hasZipformer } from '../../helpers/stt-fixtures.js';
import { wer } from '../../helpers/wer.js';

const RESCAN_WAIT_MS = 10_000;
const F16 = { rate: 16_000, width: 2, channels: 1 };

async function describeModels(port: number): Promise<{ names: string[]; asr: Record<string, unknown> | undefined }> {
  const client = await WyomingTestClient.connect(port);
  client.send('describe', {});
  const info = await client.waitForType('info');
  client.close();
  const asr = (info.data['asr'] as Array<Record<string, unknown>>)[0];
  return { names: ((asr?.['models'] as Array<{ name: string }>) ?? []).map((m) => m.name), asr };
}

test('with endpointing on, the transcript comes when speech ends, before audio-stop', async (t) => {
  if (!need(t, hasZipformer() && hasSilero(), 'shared zipformer or Silero model missing')) return;
  const daemon = await startTestDaemon({ models_dir: sharedModel(), stt: { default_model: ZIPFORMER, endpoint_on_silence: true } });
  try {
    const { asr } = await describeModels(daemon.providerPort);
    assert.equal(asr?.['requires_external_vad'], false);
    const speech = clipSamples('librispeech-1089-134691-0000.wav');
    const padded = new Float32Array(speech.length + 2 * 16_000);
    padded.set(speech);
    const client = await WyomingTestClient.connect(daemon.providerPort);
    client.send('transcribe', { language: 'en' });
    sendAudio(client, floatToInt16Bytes(padded), F16, 100, false);
    const transcript = await client.waitForType('transcript', 20_000);
    assert.ok(wer('HE COULD WAIT NO LONGER', String(transcript.data['text'])) <= 0.25);
    // the late audio-stop is accepted quietly, and the connection serves the next request
    client.send('audio-stop', { timestamp: null });
    const n = client.frames.length;
    client.send('transcribe', {});
    sendAudio(client, floatToInt16Bytes(clipSamples('piper-this-is-a-test.wav')), F16);
    const next = await client.waitFor((f) => f.type === 'transcript', 20_000, n);
    assert.match(String(next.data['text']), /TEST/);
    assert.ok(!client.frames.some((f) => f.type === 'error'));
    client.close();
  } finally {
    await daemon.stop();
  }
});

test('a model folder that appears is listed in info after models-changed, without a restart', async (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'stt-rescan-'));
  const daemon = await startTestDaemon({ models_dir: modelsDir });
  try {
    assert.deepEqual((await describeModels(daemon.providerPort)).names, []);
    symlinkSync(sharedModel(ZIPFORMER), path.join(modelsDir, ZIPFORMER));
    daemon.context.bus.emit('models-changed', { kind: 'asr' });
    const deadline = Date.now() + RESCAN_WAIT_MS;
    let names: string[] = [];
    while (Date.now() < deadline) {
      names = (await describeModels(daemon.providerPort)).names;
      if (names.includes(ZIPFORMER)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(names, [ZIPFORMER]);
    const client = await WyomingTestClient.connect(daemon.providerPort);
    client.send('transcribe', {});
    sendAudio(client, floatToInt16Bytes(clipSamples('piper-this-is-a-test.wav')), F16);
    assert.match(String((await client.waitForType('transcript', 20_000)).data['text']), /TEST/);
    client.close();
  } finally {
    await daemon.stop();
  }
});

test('with no model installed a request gets SAT_ERR_MODEL_NOT_FOUND', async () => {
  const daemon = await startTestDaemon({ models_dir: mkdtempSync(path.join(os.tmpdir(), 'stt-empty-')) });
  try {
    const client = await WyomingTestClient.connect(daemon.providerPort);
    client.send('transcribe', {});
    sendAudio(client, Buffer.alloc(3200), F16);
    assert.equal((await client.waitForType('error')).data['code'], 'SAT_ERR_MODEL_NOT_FOUND');
    client.close();
  } finally {
    await daemon.stop();
  }
});

test('cuda asked of a CPU-only native build falls back to cpu with a warning and still transcribes', async (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const daemon = await startTestDaemon({ models_dir: sharedModel(), engine: { provider: 'cuda' }, stt: { default_model: ZIPFORMER } });
  try {
    assert.ok(daemon.logs.some((l) => /cuda requested/.test(l)), 'no cuda warning logged');
    const client = await WyomingTestClient.connect(daemon.providerPort);
    client.send('transcribe', {});
    sendAudio(client, floatToInt16Bytes(clipSamples('piper-this-is-a-test.wav')), F16);
    assert.match(String((await client.waitForType('transcript', 20_000)).data['text']), /TEST/);
    client.close();
  } finally {
    await daemon.stop();
  }
});
