import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatToInt16Bytes } from '../../../src/audio/pcm.js';
import { WakeDetector } from '../../../src/core/speech/wake-detector.js';
import { OpenWakeWordEngine } from '../../../src/engines/wake/openwakeword/openwakeword.js';
import { findOpenWakeWordFolder } from '../../../src/engines/wake/openwakeword/openwakeword-files.js';
import { HOP_SAMPLES } from '../../../src/engines/wake/openwakeword/openwakeword-features.js';
import type { WakeDetection } from '../../../src/engines/wake/wake.js';
import { createLogger } from '../../../src/util/logger.js';
import { FakeWakeSource } from '../../core/speech/wake-fakes.js';
import { need } from '../../helpers/system.js';
import { OWW_DIR, SAMPLE_RATE, TEST_RUNTIME, detectAll, hasModel, paddedClip } from './wake-helpers.js';

const WORDS = ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'];
/** Two clips with a wake word, two without (one of them long), as in the shared set. */
const CLIPS = ['oww-alexa.wav', 'oww-hey-mycroft.wav', 'oww-hey-jane.wav', 'jfk.wav'];
const FORMAT = { rate: SAMPLE_RATE, width: 2, channels: 1 };
const HA_CHUNK_SAMPLES = SAMPLE_RATE / 100;

/** Streams the clip as Home Assistant does (10 ms int16 chunks) through the provider's detector. */
async function detectThroughProvider(engine: OpenWakeWordEngine, samples: Float32Array, chunkSamples: number): Promise<WakeDetection[]> {
  const found: WakeDetection[] = [];
  const detector = new WakeDetector({
    source: new FakeWakeSource([{ id: 'openwakeword', engine }]),
    log: createLogger({ level: 'silent' }),
    sendDetection: async (d) => void found.push({ name: d.name, timestampMs: d.timestamp }),
    sendNotDetected: async () => undefined,
  });
  try {
    await detector.detect({ type: 'detect', data: { names: WORDS, context: null } });
    await detector.audioStart(FORMAT);
    const pcm = floatToInt16Bytes(samples);
    const step = chunkSamples * 2;
    for (let at = 0; at < pcm.length; at += step) {
      await detector.audioChunk({ type: 'audio-chunk', data: { ...FORMAT, timestamp: null }, payload: pcm.subarray(at, at + step) });
    }
    await detector.audioStop();
  } finally {
    detector.close();
  }
  return found;
}

/** The same audio after the int16 round trip the provider's chunks take, fed hop by hop. */
function int16RoundTrip(samples: Float32Array): Float32Array {
  const pcm = floatToInt16Bytes(samples);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(i * 2) / 32768;
  return out;
}

test('10 ms chunks through the provider, batched into hops, give the same detections as feeding whole hops', async (t) => {
  if (!need(t, hasModel(OWW_DIR), `openWakeWord models missing at ${OWW_DIR}`)) return;
  const folder = findOpenWakeWordFolder(OWW_DIR);
  assert.ok(folder);
  const engine = new OpenWakeWordEngine({ id: 'openwakeword', ...folder, runtime: TEST_RUNTIME });
  t.after(() => engine.close());
  let fired = 0;
  for (const clip of CLIPS) {
    const samples = paddedClip(clip);
    const byHop = await detectAll(engine, WORDS, int16RoundTrip(samples), HOP_SAMPLES);
    const tenMs = await detectThroughProvider(engine, samples, HA_CHUNK_SAMPLES);
    // an odd chunk size straddles every hop boundary
    const odd = await detectThroughProvider(engine, samples, 333);
    assert.deepEqual(tenMs, byHop, `${clip}: 10 ms chunks`);
    assert.deepEqual(odd, byHop, `${clip}: 333-sample chunks`);
    fired += byHop.length;
  }
  // the comparison means something only if the positives fired
  assert.equal(fired, 2, 'alexa and hey_mycroft fire once each, the others never');
});
