/**
 * Parallel decoding: with two workers configured, two sessions of one streaming model decode at
 * once on two copies of the model; one session at a time keeps a single copy loaded.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverAsrModels } from '../../../../src/engines/asr/model-discovery.js';
import { SherpaOnlineEngine } from '../../../../src/engines/asr/sherpa-online/sherpa-online.js';
import type { AsrSession } from '../../../../src/engines/asr/asr.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { ZIPFORMER, clipSamples, hasZipformer } from '../../../helpers/stt-fixtures.js';

const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 2, preload: false };
const CHUNK = 1600;

async function feed(session: AsrSession, file: string): Promise<string> {
  const samples = clipSamples(file);
  for (let at = 0; at < samples.length; at += CHUNK) await session.accept(samples.subarray(at, at + CHUNK));
  return (await session.finish()).text;
}

describe('streaming engine with a pool of workers', () => {
  const engines: SherpaOnlineEngine[] = [];
  const make = async (workers: number) => {
    const spec = (await discoverAsrModels(sharedModel())).find((s) => s.name === ZIPFORMER)!;
    const engine = new SherpaOnlineEngine({ spec, runtime: { ...RUNTIME, workers } });
    engines.push(engine);
    return engine;
  };
  after(async () => Promise.all(engines.map((e) => e.close())));

  test('two overlapping sessions decode on two copies, each its own audio', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const engine = await make(2);
    assert.match(await feed(await engine.createSession({}), 'piper-this-is-a-test.wav'), /TEST/);
    assert.equal(engine.loadedCopies, 1, 'one session at a time needs one copy');
    const a = await engine.createSession({});
    const b = await engine.createSession({});
    assert.equal(engine.loadedCopies, 2, 'the second session got a copy of its own');
    const decodedBefore = engine.decodedSeconds;
    const [ta, tb] = await Promise.all([feed(a, 'piper-this-is-a-test.wav'), feed(b, 'jfk.wav')]);
    assert.match(ta, /TEST/);
    assert.match(tb, /COUNTRY|AMERICANS|FELLOW/);
    assert.ok(engine.decodedSeconds - decodedBefore > 10, 'both streams were decoded');
    assert.equal(engine.activeStreams, 0);
  });

  test('with one worker, overlapping sessions share the one copy', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const engine = await make(1);
    const a = await engine.createSession({});
    const b = await engine.createSession({});
    assert.equal(engine.loadedCopies, 1);
    const [ta, tb] = await Promise.all([feed(a, 'piper-this-is-a-test.wav'), feed(b, 'piper-this-is-a-test.wav')]);
    assert.match(ta, /TEST/);
    assert.match(tb, /TEST/);
  });

  test('a cancelled session on the second copy has its queued audio dropped', async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const engine = await make(2);
    const keep = await engine.createSession({});
    const gone = await engine.createSession({});
    assert.equal(engine.loadedCopies, 2);
    const before = engine.decodedSeconds;
    const long = clipSamples('jfk.wav');
    // Posted without waiting for room: most of it is still queued when the session goes.
    for (let i = 0; i < 20; i++) void gone.accept(long);
    gone.cancel();
    assert.match(await feed(keep, 'piper-this-is-a-test.wav'), /TEST/);
    const sent = (20 * long.length) / 16_000;
    const decoded = engine.decodedSeconds - before;
    assert.ok(decoded < sent / 4, `${decoded.toFixed(0)} of the ${sent.toFixed(0)} s of the cancelled session were decoded`);
  });
});
