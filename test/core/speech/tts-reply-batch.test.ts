/**
 * A reply hands its audio to a sink that takes several chunks at once in batches (one socket
 * write each), and takes an engine's own 16-bit audio without converting it: the bytes are the
 * same as chunk by chunk from float samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtsCache } from '../../../src/core/speech/tts-cache.js';
import { TtsReply, type TtsAudioSink } from '../../../src/core/speech/tts-reply.js';
import type { VoiceChoice } from '../../../src/core/speech/select-voice.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from '../../../src/engines/tts/tts.js';

const RATE = 22050;
const CHUNK = 100;
const PIECE = 1234;

/** Makes 3 pieces of a ramp per sentence, as 16-bit samples when asked for them, else as floats. */
class PieceEngine implements TtsEngine {
  readonly voices: TtsVoiceInfo[] = [
    { name: 'pieces', backend: 'espeak-ng', languages: ['en'], speakers: null, sampleRate: RATE, description: '', version: null, attribution: { name: '', url: '' } },
  ];
  readonly loaded = true;
  constructor(readonly sixteen: boolean) {}
  async synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    for (let p = 0; p < 3; p++) {
      const ints = Int16Array.from({ length: PIECE }, (_, i) => ((p * PIECE + i) % 2000) * 16 - 16000);
      if (this.sixteen && request.onPcm16) request.onPcm16(ints);
      else request.onAudio(Float32Array.from(ints, (v) => v / 32768));
    }
    return { sampleRate: RATE };
  }
  async unload(): Promise<void> {}
  async close(): Promise<void> {}
}

interface Received {
  bytes: Buffer;
  calls: number[];
}

function sink(batched: boolean): { sink: TtsAudioSink; got: Received } {
  const got: Received = { bytes: Buffer.alloc(0), calls: [] };
  const take = (pcms: readonly Buffer[]) => {
    got.calls.push(pcms.length);
    got.bytes = Buffer.concat([got.bytes, ...pcms]);
  };
  const s: TtsAudioSink = {
    start: async () => undefined,
    chunk: async (pcm) => take([pcm]),
    stop: async () => undefined,
    ...(batched ? { chunks: async (pcms: readonly Buffer[]) => take(pcms) } : {}),
  };
  return { sink: s, got };
}

async function reply(engine: PieceEngine, batched: boolean, cache?: TtsCache): Promise<Received> {
  const { sink: s, got } = sink(batched);
  const choice: VoiceChoice = { engineId: 'pieces', engine, voice: engine.voices[0]! };
  const r = new TtsReply({ choice, sink: s, speed: 1, samplesPerChunk: CHUNK, cache });
  r.add('One.');
  r.add('Two.');
  await r.finish();
  assert.equal(r.audioBytes, got.bytes.length);
  return got;
}

test('batched chunks and 16-bit engine audio give the same bytes as float audio chunk by chunk', async () => {
  const plain = await reply(new PieceEngine(false), false);
  assert.equal(plain.bytes.length, 2 * 3 * PIECE * 2);
  assert.ok(plain.calls.every((n) => n === 1));
  const batched = await reply(new PieceEngine(false), true);
  assert.deepEqual(batched.bytes, plain.bytes);
  assert.ok(batched.calls.some((n) => n > 1), 'several chunks went out in one call');
  assert.ok(batched.calls.length < plain.calls.length);
  const sixteen = await reply(new PieceEngine(true), true);
  assert.deepEqual(sixteen.bytes, plain.bytes);
});

test('a cached sentence goes out in batches, every chunk of the configured size but the last', async () => {
  const cache = new TtsCache({ maxEntries: 10, maxBytes: 10_000_000 });
  const engine = new PieceEngine(true);
  const first = await reply(engine, true, cache);
  const again = await reply(engine, true, cache);
  assert.deepEqual(again.bytes, first.bytes);
  assert.ok(again.calls.length >= 2 && again.calls.every((n) => n <= 32));
});
