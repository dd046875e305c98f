/**
 * Every backend that can run here says truthfully whether its native model is in memory: not
 * before first use, yes while in use, not after an unload or close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discoverAsrModels } from '../../src/engines/asr/model-discovery.js';
import { SherpaOnlineEngine } from '../../src/engines/asr/sherpa-online/sherpa-online.js';
import { EspeakEngine } from '../../src/engines/tts/espeak/espeak-engine.js';
import { SileroVadFactory } from '../../src/engines/vad/silero/silero.js';
import { findKwsFolder, guessKwsLanguages } from '../../src/engines/wake/sherpa-kws/kws-files.js';
import { keywordLines } from '../../src/engines/wake/sherpa-kws/kws-keywords.js';
import { findOpenWakeWordFolder } from '../../src/engines/wake/openwakeword/openwakeword-files.js';
import { OpenWakeWordEngine } from '../../src/engines/wake/openwakeword/openwakeword.js';
import { KwsEngine } from '../../src/engines/wake/sherpa-kws/sherpa-kws.js';
import { hasCommand, need, sharedModel } from '../helpers/system.js';
import { ZIPFORMER, clipSamples, hasSilero, hasZipformer } from '../helpers/stt-fixtures.js';
import { quietLog } from './tts/tts-test-kit.js';
import { KWS_EN_DIR, OWW_DIR, TEST_RUNTIME, hasModel } from './wake/wake-helpers.js';

const SILENCE = new Float32Array(1600);

test('the streaming recogniser is loaded only between its first session and an unload', async (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const spec = (await discoverAsrModels(sharedModel())).find((s) => s.name === ZIPFORMER)!;
  const engine = new SherpaOnlineEngine({ spec, runtime: TEST_RUNTIME });
  t.after(() => engine.close());
  assert.equal(engine.loaded, false);
  const session = await engine.createSession({});
  session.accept(clipSamples('jfk.wav').subarray(0, 16_000));
  await session.finish();
  assert.equal(engine.loaded, true);
  await engine.unload();
  assert.equal(engine.loaded, false);
});

test('the Silero VAD factory is loaded once a stream opens and not after an unload', async (t) => {
  if (!need(t, hasSilero(), 'shared Silero VAD models missing')) return;
  const factory = new SileroVadFactory('silero', sharedModel('silero-vad', 'silero_vad.onnx'), { threshold: 0.5, minSilenceSeconds: 0.5, minSpeechSeconds: 0.25 }, TEST_RUNTIME);
  t.after(() => factory.close());
  assert.equal(factory.loaded, false);
  const stream = await factory.createStream({});
  await stream.accept(SILENCE);
  stream.close();
  assert.equal(factory.loaded, true);
  await factory.unload();
  assert.equal(factory.loaded, false);
});

test('the keyword spotter and openWakeWord are loaded by a session or preload and released by close', async (t) => {
  if (!need(t, hasModel(KWS_EN_DIR) && hasModel(OWW_DIR), 'shared wake models missing')) return;
  const folder = findKwsFolder(KWS_EN_DIR)!;
  const kws = new KwsEngine({
    id: path.basename(KWS_EN_DIR),
    ...folder,
    keywords: keywordLines(readFileSync(folder.keywords!, 'utf8')),
    languages: guessKwsLanguages(folder.tokens),
    runtime: TEST_RUNTIME,
  });
  const oww = new OpenWakeWordEngine({ id: 'openwakeword', ...findOpenWakeWordFolder(OWW_DIR)!, runtime: TEST_RUNTIME });
  t.after(() => Promise.all([kws.close(), oww.close()]));
  assert.equal(kws.loaded, false);
  assert.equal(oww.loaded, false);
  const session = await kws.createSession({ names: [], onDetection: () => undefined });
  await session.accept(SILENCE);
  session.close();
  await oww.load();
  assert.equal(kws.loaded, true);
  assert.equal(oww.loaded, true);
  await kws.close();
  await oww.close();
  assert.equal(kws.loaded, false);
  assert.equal(oww.loaded, false);
});

test('espeak-ng, a program per request, counts as loaded while the engine exists', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const engine = await EspeakEngine.create({ program: 'espeak-ng', languages: ['en-us'], preferred: 'en-us', maxConcurrent: 1, maxQueue: 1, log: quietLog });
  assert.ok(engine);
  assert.equal(engine.loaded, true);
  await engine.close();
  assert.equal(engine.loaded, false);
  const missing = await EspeakEngine.create({ program: '/nonexistent/espeak-ng', languages: null, preferred: 'en-us', maxConcurrent: 1, maxQueue: 1, log: quietLog });
  assert.equal(missing, null, 'no engine (and nothing counted) without the program');
});
