import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VoskEngine } from '../../../../src/engines/asr/vosk/vosk.js';
import { callAsync, loadVosk } from '../../../../src/engines/asr/vosk/vosk-library.js';
import { detectAsrFolder, makeSpec } from '../../../../src/engines/asr/model-discovery.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { realModel } from '../../../helpers/real-models.js';
import { testVoskLibrary } from '../../../helpers/vosk.js';
import { startTestDaemon, type TestDaemon } from '../../../helpers/daemon.js';
import { WyomingTestClient, sendAudio } from '../../../helpers/wyoming-client.js';
import { ZIPFORMER, clipAs, clipSamples, clips, hasZipformer } from '../../../helpers/stt-fixtures.js';
import { corpusWer, wer } from '../../../helpers/wer.js';

const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
/** vosk-model-small-en-us-0.15 scores about 9% on the shared clips. */
const VOSK_WER_LIMIT = 0.15;

function brokenModelDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vosk-broken-'));
  mkdirSync(path.join(dir, 'am'));
  mkdirSync(path.join(dir, 'conf'));
  writeFileSync(path.join(dir, 'am', 'final.mdl'), 'not a model');
  writeFileSync(path.join(dir, 'conf', 'model.conf'), '--min-active=200\n');
  return dir;
}

describe('Vosk through koffi', () => {
  test('libvosk loads through koffi and refuses a missing model folder with a null model', async (t) => {
    const lib = testVoskLibrary();
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    const api = loadVosk(lib.path);
    assert.equal(api.path, lib.path);
    assert.equal(await callAsync(api.modelNew, '/nonexistent/vosk-model'), null);
  });

  test('no library gives SAT_ERR_VOSK_LIBRARY saying where to get one', () => {
    assert.throws(() => loadVosk('/nonexistent/libvosk.so'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SAT_ERR_VOSK_LIBRARY');
      assert.match(err.message, /arm64/);
      return true;
    });
  });

  test('a broken model folder is recognised as Vosk and fails to load with SAT_ERR_MODEL_LOAD', async (t) => {
    const lib = testVoskLibrary();
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    const dir = brokenModelDir();
    const detected = await detectAsrFolder(dir);
    assert.equal(detected?.family, 'vosk');
    const engine = new VoskEngine({ spec: makeSpec('broken', dir, detected!, 'config'), runtime: RUNTIME }, lib.path!);
    await assert.rejects(engine.createSession({}), { code: 'SAT_ERR_MODEL_LOAD' });
    await engine.close();
  });
});

describe('a daemon with broken Vosk models', () => {
  let daemon: TestDaemon | undefined;
  after(async () => daemon?.stop());

  test('requests for them get the coded error while the daemon keeps serving other models', async (t) => {
    const lib = testVoskLibrary();
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    daemon = await startTestDaemon({
      models_dir: sharedModel(),
      stt: {
        default_model: ZIPFORMER,
        vosk_library: lib.path,
        models: [
          { name: 'vosk-missing', path: '/nonexistent/vosk-model-small-en-us', family: 'vosk' },
          { name: 'vosk-broken', path: brokenModelDir() },
        ],
      },
    });
    for (const name of ['vosk-missing', 'vosk-broken']) {
      const client = await WyomingTestClient.connect(daemon.providerPort);
      client.send('transcribe', { name });
      sendAudio(client, clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
      assert.equal((await client.waitForType('error', 20_000)).data['code'], 'SAT_ERR_MODEL_LOAD');
      client.close();
    }
    const ok = await WyomingTestClient.connect(daemon.providerPort);
    ok.send('transcribe', {});
    sendAudio(ok, clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
    assert.match(String((await ok.waitForType('transcript', 20_000)).data['text']), /TEST/i);
    ok.close();
  });
});

describe('a real Vosk model (small en-us from the registries, or SATELLITE_TEST_VOSK_MODEL)', () => {
  test('transcribes the reference clips, with partials, and a phrase list restricts the words', async (t) => {
    const vosk = realModel('vosk');
    if (!need(t, vosk.dir !== undefined, vosk.reason)) return;
    const lib = testVoskLibrary();
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    const dir = vosk.dir!;
    const detected = await detectAsrFolder(dir);
    assert.equal(detected?.family, 'vosk');
    assert.deepEqual(detected?.languages, ['en']);
    const spec = makeSpec(path.basename(dir), dir, detected!, 'config');
    const engine = new VoskEngine({ spec, runtime: RUNTIME }, lib.path!);
    const pairs = [];
    let partials = 0;
    for (const clip of clips()) {
      const session = await engine.createSession({ onPartial: () => partials++ });
      const samples = clipSamples(clip.file);
      for (let at = 0; at < samples.length; at += 1600) session.accept(samples.subarray(at, at + 1600));
      pairs.push({ reference: clip.reference, hypothesis: (await session.finish()).text });
    }
    await engine.close();
    const score = corpusWer(pairs);
    process.stdout.write(`# vosk ${path.basename(dir)} WER ${(score * 100).toFixed(1)}% on ${pairs.length} clips\n`);
    assert.ok(score <= VOSK_WER_LIMIT, `WER ${score}: ${JSON.stringify(pairs)}`);
    assert.ok(partials > 0);
    const grammar = new VoskEngine({ spec: { ...spec, grammar: ['this is a test', 'turn on the light'] }, runtime: RUNTIME }, lib.path!);
    const session = await grammar.createSession({});
    session.accept(clipSamples('piper-this-is-a-test.wav'));
    assert.equal(wer('THIS IS A TEST', (await session.finish()).text), 0);
    await grammar.close();
  });
});
