/**
 * The offline sherpa-onnx families through the running daemon, from generated structural fixtures:
 * model discovery under models_dir → engine built by the stt wiring → Wyoming asr session →
 * transcript; then unload and a reload on the next request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SherpaOfflineEngine } from '../../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import { ASR_FIXTURES, asrFixtures } from '../../helpers/asr-fixtures.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';

const RATE = 16_000;
/** Long enough for every fixture's token chain (Moonshine caps its steps by audio length). */
const AUDIO_SECONDS = 1.5;
const TRANSCRIPT_TIMEOUT_MS = 30_000;

/** A tone with a little deterministic noise, 16-bit mono: the fixtures ignore what is said. */
function testAudio(): Buffer {
  const n = Math.round(RATE * AUDIO_SECONDS);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round((Math.sin(i / 7) * 0.2 + ((i * 7919) % 13) / 260) * 32767), i * 2);
  return pcm;
}

async function transcribe(port: number, name: string): Promise<{ text: string; language: unknown }> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('transcribe', { name, language: 'en' });
    sendAudio(client, testAudio(), { rate: RATE, width: 2, channels: 1 });
    const transcript = await client.waitForType('transcript', TRANSCRIPT_TIMEOUT_MS);
    return { text: String(transcript.data['text']), language: transcript.data['language'] };
  } finally {
    client.close();
  }
}

describe('offline sherpa-onnx families from generated fixtures through the daemon', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;

  before(async () => {
    const fx = asrFixtures();
    if (!fx.dir) return;
    daemon = await startTestDaemon({ models_dir: fx.dir, engine: { idle_unload_s: 0 } });
  });
  after(async () => daemon?.stop());

  test('describe lists every fixture model as installed', async (t) => {
    const fx = asrFixtures();
    if (!need(t, daemon !== undefined, fx.reason ?? 'daemon not started')) return;
    const client = await WyomingTestClient.connect(daemon!.providerPort);
    client.send('describe', {});
    const info = await client.waitForType('info');
    client.close();
    const models = ((info.data['asr'] as Array<Record<string, unknown>>)[0]!['models'] as Array<{ name: string; installed: boolean; languages: string[] }>);
    for (const name of Object.keys(ASR_FIXTURES)) {
      const model = models.find((m) => m.name === name);
      assert.ok(model?.installed, `${name} missing from info`);
      assert.ok(model.languages.includes('en'), name);
    }
  });

  test('each family loads on first use, transcribes to its designed text, unloads, and reloads on the next request', async (t) => {
    const fx = asrFixtures();
    if (!need(t, daemon !== undefined, fx.reason ?? 'daemon not started')) return;
    for (const [name, { family, text }] of Object.entries(ASR_FIXTURES)) {
      const engine = daemon!.context.speech.engine('asr', name);
      assert.ok(engine instanceof SherpaOfflineEngine, `${name} (${family}) was not built as an offline sherpa-onnx engine`);
      assert.equal(engine.loaded, false, `${name} loaded before use`);
      const first = await transcribe(daemon!.providerPort, name);
      assert.equal(first.text, text, `${name} first transcript`);
      assert.equal(first.language, 'en', name);
      assert.equal(engine.loaded, true);
      await engine.unload();
      assert.equal(engine.loaded, false, `${name} still loaded after unload`);
      const second = await transcribe(daemon!.providerPort, name);
      assert.equal(second.text, text, `${name} after reload`);
      assert.equal(engine.loadCount, 2, name);
      await engine.unload();
    }
  });
});
