import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverAsrModels } from '../../../../src/engines/asr/model-discovery.js';
import { SherpaOnlineEngine } from '../../../../src/engines/asr/sherpa-online/sherpa-online.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { ZIPFORMER, clipSamples, clips, hasZipformer } from '../../../helpers/stt-fixtures.js';
import { corpusWer } from '../../../helpers/wer.js';

const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 2, preload: false };
const WER_LIMIT = 0.15;
const CHUNK = 1600;

describe('streaming zipformer engine (worker thread)', () => {
  let engine: SherpaOnlineEngine | undefined;
  const get = async () => {
    if (!engine) {
      const spec = (await discoverAsrModels(sharedModel())).find((s) => s.name === ZIPFORMER)!;
      engine = new SherpaOnlineEngine({ spec, runtime: RUNTIME });
    }
    return engine;
  };
  after(async () => engine?.close());

  const run = async (file: string, onPartial?: (t: string) => void) => {
    const session = await (await get()).createSession({ onPartial });
    const samples = clipSamples(file);
    for (let at = 0; at < samples.length; at += CHUNK) session.accept(samples.subarray(at, at + CHUNK));
    return (await session.finish()).text;
  };

  test('the reference clips decode within the WER limit with growing partials', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const pairs = [];
    const partials: string[] = [];
    for (const clip of clips()) pairs.push({ reference: clip.reference, hypothesis: await run(clip.file, (p) => partials.push(p)) });
    const score = corpusWer(pairs);
    process.stdout.write(`# zipformer direct: WER ${(score * 100).toFixed(1)}%\n`);
    assert.ok(score <= WER_LIMIT, `WER ${score}`);
    assert.ok(partials.length > clips().length);
  });

  test('concurrent sessions share one worker and do not mix their audio', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const set = clips().slice(2, 6);
    const texts = await Promise.all(set.map((c) => run(c.file)));
    assert.ok(corpusWer(set.map((c, i) => ({ reference: c.reference, hypothesis: texts[i]! }))) <= WER_LIMIT);
  });

  test('a cancelled session frees its slot and the engine unloads and reloads on demand', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const e = await get();
    const s = await e.createSession({});
    s.accept(clipSamples('jfk.wav').subarray(0, 16_000));
    s.cancel();
    await assert.rejects(s.finish(), { code: 'SAT_ERR_SESSION_CLOSED' });
    await e.unload();
    assert.equal(e.loaded, false);
    assert.match(await run('piper-this-is-a-test.wav'), /TEST/);
    assert.equal(e.loaded, true);
  });

  test('more streams than the bound are refused with SAT_ERR_ENGINE_BUSY', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const e = await get();
    const open: Array<{ cancel(): void }> = [];
    await assert.rejects(async () => {
      for (let i = 0; i < 100; i++) open.push(await e.createSession({}));
    }, { code: 'SAT_ERR_ENGINE_BUSY' });
    for (const s of open) s.cancel();
    assert.match(await run('piper-this-is-a-test.wav'), /TEST/);
  });

  test('a model that cannot load gives SAT_ERR_MODEL_LOAD', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const spec = (await discoverAsrModels(sharedModel())).find((s) => s.name === ZIPFORMER)!;
    const broken = new SherpaOnlineEngine({ spec: { ...spec, files: { ...spec.files, joiner: sharedModel('test-wavs', 'trans.txt') } }, runtime: RUNTIME });
    await assert.rejects(broken.createSession({}), { code: 'SAT_ERR_MODEL_LOAD' });
    await broken.close();
  });
});
