/**
 * Speech → text for tests that check synthesised audio: the shared streaming zipformer
 * (kws-zipformer-gigaspeech-3.3M-mobile, a small English recogniser) through sherpa-onnx's
 * OnlineRecognizer. Its methods are synchronous, which is fine inside a test. Samples at any
 * rate are resampled to the model's 16 kHz first.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resample } from '../../src/audio/pcm.js';
import { sharedModel } from './system.js';

const MODEL_RATE = 16_000;
/** Silence appended so the recogniser flushes the last word. */
const TAIL_PADDING_S = 0.8;
/** Audio is fed in pieces of this many samples, as a stream would be. */
const FEED_SAMPLES = 1600;
export const RECOGNIZER_DIR = 'kws-zipformer-gigaspeech-3.3M-mobile';

interface OnlineStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}

interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(stream: OnlineStream): boolean;
  decode(stream: OnlineStream): void;
  getResult(stream: OnlineStream): { text: string };
}

let recognizer: OnlineRecognizer | undefined;

/** True when the shared recogniser model is present. */
export function hasRecognizer(): boolean {
  return existsSync(sharedModel(RECOGNIZER_DIR, 'tokens.txt'));
}

function load(): OnlineRecognizer {
  if (recognizer) return recognizer;
  const dir = (file: string) => sharedModel(RECOGNIZER_DIR, file);
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as {
    OnlineRecognizer: new (config: Record<string, unknown>) => OnlineRecognizer;
  };
  recognizer = new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig: {
      transducer: {
        encoder: dir('encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
        decoder: dir('decoder-epoch-12-avg-2-chunk-16-left-64.onnx'),
        joiner: dir('joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
      },
      tokens: dir('tokens.txt'),
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
    enableEndpoint: false,
  });
  return recognizer;
}

/** Transcribes float32 mono samples (any rate) to upper-case English text. */
export async function recognize(samples: Float32Array, sampleRate: number): Promise<string> {
  const asr = load();
  const audio = resample(samples, sampleRate, MODEL_RATE);
  const stream = asr.createStream();
  const padded = new Float32Array(audio.length + Math.round(TAIL_PADDING_S * MODEL_RATE));
  padded.set(audio);
  for (let at = 0; at < padded.length; at += FEED_SAMPLES) {
    stream.acceptWaveform({ samples: padded.slice(at, at + FEED_SAMPLES), sampleRate: MODEL_RATE });
    while (asr.isReady(stream)) asr.decode(stream);
  }
  stream.inputFinished();
  while (asr.isReady(stream)) asr.decode(stream);
  return asr.getResult(stream).text.trim();
}
