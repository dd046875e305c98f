import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { SileroVadFactory } from '../../../../src/engines/vad/silero/silero.js';
import { speechFraction } from '../../../../src/engines/vad/speech-segmenter.js';
import type { VadSegment } from '../../../../src/engines/vad/vad.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { clipSamples, hasSilero } from '../../../helpers/stt-fixtures.js';

const MODELS = ['silero_vad.onnx', 'silero_vad_v6.onnx'];
const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
const DEFAULTS = { threshold: 0.5, minSilenceSeconds: 0.5, minSpeechSeconds: 0.25 };
const FRACTION_TOLERANCE = 0.03;
const COUNT_TOLERANCE = 1;

interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  front(): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
}

/** The same clip through sherpa-onnx's own Silero VAD, called directly. */
function sherpaSegments(model: string, samples: Float32Array): VadSegment[] {
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as { Vad: new (c: unknown, s: number) => SherpaVad };
  const vad = new sherpa.Vad(
    {
      sileroVad: { model, threshold: DEFAULTS.threshold, minSpeechDuration: DEFAULTS.minSpeechSeconds, minSilenceDuration: DEFAULTS.minSilenceSeconds, maxSpeechDuration: 120, windowSize: 512 },
      sampleRate: 16_000,
      numThreads: 1,
      provider: 'cpu',
      debug: false,
    },
    120,
  );
  const out: VadSegment[] = [];
  const drain = () => {
    while (!vad.isEmpty()) {
      const s = vad.front();
      out.push({ start: s.start / 16_000, end: (s.start + s.samples.length) / 16_000 });
      vad.pop();
    }
  };
  for (let at = 0; at < samples.length; at += 512) {
    vad.acceptWaveform(samples.subarray(at, at + 512));
    drain();
  }
  vad.flush();
  drain();
  return out;
}

async function ourSegments(factory: SileroVadFactory, samples: Float32Array, chunk: number) {
  const starts: number[] = [];
  const ends: VadSegment[] = [];
  const stream = await factory.createStream({ onSpeechStart: (s) => starts.push(s), onSpeechEnd: (s) => ends.push(s) });
  for (let at = 0; at < samples.length; at += chunk) await stream.accept(samples.subarray(at, at + chunk));
  await stream.flush();
  const segments = [...stream.segments];
  stream.close();
  return { segments, starts, ends };
}

for (const file of MODELS) {
  test(`Silero ${file}: speech fraction and segment count on the 60 s clip match a direct sherpa-onnx call`, async (t) => {
    if (!need(t, hasSilero(), 'shared Silero VAD models missing')) return;
    const model = sharedModel('silero-vad', file);
    const samples = clipSamples('silero-vad-test-60s.wav');
    const duration = samples.length / 16_000;
    const factory = new SileroVadFactory('silero', model, DEFAULTS, RUNTIME);
    const ours = await ourSegments(factory, samples, 1600);
    await factory.close();
    const direct = sherpaSegments(model, samples);
    const a = speechFraction(ours.segments, duration);
    const b = speechFraction(direct, duration);
    process.stdout.write(`# ${file}: ours ${ours.segments.length} segments ${(a * 100).toFixed(1)}% speech; sherpa ${direct.length} segments ${(b * 100).toFixed(1)}%\n`);
    assert.ok(Math.abs(a - b) <= FRACTION_TOLERANCE, `speech fraction ${a} vs ${b}`);
    assert.ok(Math.abs(ours.segments.length - direct.length) <= COUNT_TOLERANCE, `segments ${ours.segments.length} vs ${direct.length}`);
    assert.equal(ours.starts.length, ours.segments.length);
    assert.deepEqual(ours.ends, ours.segments);
  });
}

test('chunk size does not change the result, and streams share one (pre)loaded model', async (t) => {
  if (!need(t, hasSilero(), 'shared Silero VAD models missing')) return;
  const factory = new SileroVadFactory('silero', sharedModel('silero-vad', 'silero_vad.onnx'), DEFAULTS, RUNTIME);
  assert.equal(factory.loaded, false);
  await factory.load();
  assert.equal(factory.loaded, true);
  const samples = clipSamples('jfk.wav');
  const [a, b] = await Promise.all([ourSegments(factory, samples, 1600), ourSegments(factory, samples, 4001)]);
  assert.deepEqual(a.segments, b.segments);
  assert.ok(a.segments.length > 0);
  assert.equal(factory.loadCount, 1);
  await factory.close();
});

test('a missing model file gives SAT_ERR_MODEL_LOAD', async () => {
  const factory = new SileroVadFactory('silero', '/nonexistent/silero_vad.onnx', DEFAULTS, RUNTIME);
  await assert.rejects(factory.load(), { code: 'SAT_ERR_MODEL_LOAD' });
  await assert.rejects(factory.createStream({}), { code: 'SAT_ERR_MODEL_LOAD' });
});
