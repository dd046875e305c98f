import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SherpaOfflineEngine } from '../../../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import { detectAsrFolder, discoverAsrModels, makeSpec } from '../../../../src/engines/asr/model-discovery.js';
import type { AsrModelSpec } from '../../../../src/engines/asr/model-spec.js';
import type { EngineRuntimeOptions } from '../../../../src/engines/types.js';
import { ASR_FIXTURES, asrFixtures } from '../../../helpers/asr-fixtures.js';
import { need } from '../../../helpers/system.js';
import { realModel } from '../../../helpers/real-models.js';
import { clipSamples, clips, hasZipformer } from '../../../helpers/stt-fixtures.js';
import { corpusWer } from '../../../helpers/wer.js';

const RUNTIME: EngineRuntimeOptions = { provider: 'cpu', numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
const CYCLES = 100;
const WARM_UP_CYCLES = 10;
/** RSS growth allowed over the measured cycles (allocator noise, not a per-cycle leak). */
const RSS_GROWTH_LIMIT_MB = 40;
const WHISPER_WER_LIMIT = 0.1;

async function fixtureSpecs(): Promise<Map<string, AsrModelSpec>> {
  const { dir } = asrFixtures();
  return new Map((await discoverAsrModels(dir!)).map((s) => [s.name, s]));
}

function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('sherpa-onnx offline engine on generated structural fixtures', () => {
  test('every fixture folder is recognised as its family (Whisper, SenseVoice, Moonshine v1 and v2, NeMo TDT, Paraformer)', async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    const specs = await fixtureSpecs();
    assert.deepEqual([...specs.keys()].sort(), Object.keys(ASR_FIXTURES).sort());
    for (const [name, { family }] of Object.entries(ASR_FIXTURES)) assert.equal(specs.get(name)?.family, family, name);
    assert.deepEqual(specs.get('whisper-fixture.en')?.languages, ['en']);
    assert.deepEqual(specs.get('whisper-fixture')?.languages, ['en', 'de']);
    assert.match(specs.get('moonshine-fixture')!.files.uncachedDecoder!, /uncached_decode\.int8\.onnx$/);
    assert.match(specs.get('moonshine-v2-fixture')!.files.mergedDecoder!, /decoder_model_merged\.onnx$/);
  });

  test('each fixture loads, decodes speech through a session to its designed text, unloads and reloads', async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    if (!need(t, hasZipformer(), 'shared test clips missing')) return;
    const samples = clipSamples('piper-this-is-a-test.wav');
    for (const spec of (await fixtureSpecs()).values()) {
      const engine = new SherpaOfflineEngine({ spec, runtime: RUNTIME });
      try {
        for (let round = 1; round <= 2; round++) {
          const session = await engine.createSession({ language: 'en' });
          for (let at = 0; at < samples.length; at += 1600) session.accept(samples.subarray(at, at + 1600));
          const result = await session.finish();
          assert.equal(result.text, ASR_FIXTURES[spec.name]?.text, `${spec.name} round ${round}`);
          assert.equal(result.language, 'en', spec.name);
          assert.equal(engine.loaded, true);
          assert.equal(engine.loadCount, round);
          await engine.unload();
          assert.equal(engine.loaded, false);
        }
      } finally {
        await engine.close();
      }
    }
  });

  test('language and task are checked against the model before decoding', async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    const specs = await fixtureSpecs();
    const english = new SherpaOfflineEngine({ spec: specs.get('whisper-fixture.en')!, runtime: RUNTIME });
    await assert.rejects(english.createSession({ language: 'de' }), { code: 'SAT_ERR_UNSUPPORTED_LANGUAGE' });
    await assert.rejects(english.decode(new Float32Array(16_000), undefined, 'translate'), { code: 'SAT_ERR_UNSUPPORTED_TASK' });
    const multi = new SherpaOfflineEngine({ spec: specs.get('whisper-fixture')!, runtime: RUNTIME });
    assert.deepEqual(multi.info.tasks, ['transcribe', 'translate']);
    const german = await multi.decode(clipSamples('piper-this-is-a-test.wav'), 'de-DE');
    assert.equal(german.language, 'de');
    await multi.close();
    await english.close();
  });

  test('concurrent first requests share one load and all get an answer', async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    const engine = new SherpaOfflineEngine({ spec: (await fixtureSpecs()).get('sense-voice-fixture')!, runtime: RUNTIME });
    const audio = new Float32Array(16_000).map((_, i) => Math.sin(i / 10) * 0.1);
    const results = await Promise.all([1, 2, 3, 4].map(() => engine.decode(audio)));
    assert.equal(results.length, 4);
    assert.ok(results.every((r) => r.text === results[0]!.text));
    assert.equal(engine.loadCount, 1);
    await engine.close();
  });

  test('a truncated model file is refused with SAT_ERR_MODEL_LOAD instead of reaching the native loader', async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    const spec = (await fixtureSpecs()).get('whisper-fixture.en')!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'whisper-broken-'));
    const decoder = path.join(dir, 'tiny.en-decoder.onnx');
    writeFileSync(decoder, readFileSync(spec.files.decoder!).subarray(0, 1000));
    const engine = new SherpaOfflineEngine({ spec: { ...spec, files: { ...spec.files, decoder } }, runtime: RUNTIME });
    await assert.rejects(engine.decode(new Float32Array(16_000)), { code: 'SAT_ERR_MODEL_LOAD' });
    await engine.close();
  });

  test(`${CYCLES} load/decode/unload cycles do not grow RSS materially`, async (t) => {
    const fx = asrFixtures();
    if (!need(t, fx.dir !== undefined, fx.reason ?? '')) return;
    const gc = gcFunction();
    const specs = await fixtureSpecs();
    const audio = new Float32Array(16_000).map((_, i) => Math.sin(i / 7) * 0.2);
    const cycle = async (spec: AsrModelSpec) => {
      const engine = new SherpaOfflineEngine({ spec, runtime: RUNTIME });
      try {
        const r = await engine.decode(audio, 'en');
        assert.equal(r.text, ASR_FIXTURES[spec.name]?.text, spec.name);
      } finally {
        await engine.close();
      }
    };
    // every family in turn, so each loader's native resources are released on unload
    const order = [...specs.values()];
    for (let i = 0; i < WARM_UP_CYCLES; i++) await cycle(order[i % order.length]!);
    gc();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < CYCLES; i++) {
      await cycle(order[i % order.length]!);
      if (i % 10 === 9) gc();
    }
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    process.stdout.write(`# RSS growth over ${CYCLES} cycles: ${growthMb.toFixed(1)} MB\n`);
    assert.ok(growthMb < RSS_GROWTH_LIMIT_MB, `RSS grew ${growthMb.toFixed(1)} MB`);
  });
});

describe('a real Whisper model (tiny.en from the registries, or SATELLITE_TEST_WHISPER_MODEL)', () => {
  test('transcribes the reference clips at WER ≤ 10%', async (t) => {
    const whisper = realModel('whisper');
    if (!need(t, whisper.dir !== undefined, whisper.reason)) return;
    if (!need(t, hasZipformer(), 'shared test clips missing')) return;
    const dir = whisper.dir!;
    const detected = await detectAsrFolder(dir);
    assert.equal(detected?.family, 'whisper', `${dir} is not a Whisper folder`);
    assert.deepEqual(detected?.languages, ['en']);
    const engine = new SherpaOfflineEngine({ spec: makeSpec(path.basename(dir), dir, detected!, 'config'), runtime: RUNTIME });
    const pairs = [];
    let audioSeconds = 0;
    const started = performance.now();
    for (const clip of clips()) {
      const samples = clipSamples(clip.file);
      audioSeconds += samples.length / 16_000;
      pairs.push({ reference: clip.reference, hypothesis: (await engine.decode(samples, 'en')).text });
    }
    const rtf = (performance.now() - started) / 1000 / audioSeconds;
    await engine.close();
    const score = corpusWer(pairs);
    process.stdout.write(`# whisper ${path.basename(dir)} WER ${(score * 100).toFixed(1)}% on ${pairs.length} clips, RTF ${rtf.toFixed(3)} (1 thread, load included)\n`);
    assert.ok(score <= WHISPER_WER_LIMIT, `WER ${score}: ${JSON.stringify(pairs)}`);
  });
});
