/**
 * `stt.workers` through the real daemon: two Home Assistant streams that overlap are served by two
 * copies of the model, and both get their own transcript.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { ZIPFORMER, clipAs, hasZipformer } from '../../helpers/stt-fixtures.js';
import type { SherpaOnlineEngine } from '../../../src/engines/asr/sherpa-online/sherpa-online.js';

const MONO16 = { rate: 16_000, width: 2, channels: 1 };

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('speech-to-text workers on the provider endpoint', () => {
  let daemon: TestDaemon | undefined;
  before(async () => {
    if (!hasZipformer()) return;
    daemon = await startTestDaemon({ models_dir: sharedModel(), stt: { default_model: ZIPFORMER, workers: 2 } });
  });
  after(async () => daemon?.stop());

  test('two overlapping streams decode on two copies of the model', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const engine = daemon!.context.speech.engine('asr', ZIPFORMER) as unknown as SherpaOnlineEngine;
    const pcm = clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm;
    const clients = await Promise.all([0, 1].map(() => WyomingTestClient.connect(daemon!.providerPort)));
    try {
      for (const client of clients) {
        client.send('transcribe', {});
        sendAudio(client, pcm, MONO16, 100, false);
      }
      // Both streams are open (no audio-stop yet): each holds a copy.
      await until(() => engine.activeStreams === 2, 'both streams to open');
      assert.equal(engine.loadedCopies, 2);
      for (const client of clients) client.send('audio-stop', { timestamp: null });
      const texts = await Promise.all(clients.map(async (c) => String((await c.waitForType('transcript', 60_000)).data['text'])));
      for (const text of texts) assert.match(text, /TEST/i);
    } finally {
      for (const client of clients) client.close();
    }
  });
});
