/**
 * The openWakeWord front end for one audio stream, run once per 80 ms hop and shared by every
 * wake word the stream listens for: audio → melspectrogram (8 new frames) → embedding of the
 * last 76 frames → a rolling window of the last 16 embeddings, which each word's head scores.
 * Numbers and scalings follow the published models (MODELS.md §2).
 */
import type { ort } from '../../runtime/ort-session.js';

export const SAMPLE_RATE = 16_000;
/** One hop: 80 ms of 16 kHz audio, the stride of the embedding model. */
export const HOP_SAMPLES = 1_280;
/** The mel model needs 3 frames (480 samples) of the previous hop to give 8 frames per hop. */
export const MEL_CONTEXT_SAMPLES = 480;
export const MEL_BINS = 32;
export const MEL_FRAMES_PER_HOP = 8;
/** Mel frames one embedding looks at (0.775 s). */
export const EMBEDDING_WINDOW = 76;
export const EMBEDDING_SIZE = 96;
/** Embeddings one head looks at (1.28 s). */
export const HEAD_WINDOW = 16;
/** The mel model was trained on int16-range samples held as float. */
const INT16_SCALE = 32_767;
/** The initial mel buffer value, as openWakeWord starts its streams. */
const INITIAL_MEL_VALUE = 1;

export interface OwwBackbone {
  mel: ort.InferenceSession;
  embedding: ort.InferenceSession;
  /** Embedding of the initial mel buffer, so heads have a full window from the first hop. */
  initialEmbedding: Float32Array;
  Tensor: typeof ort.Tensor;
}

export function initialMelBuffer(): Float32Array {
  return new Float32Array(EMBEDDING_WINDOW * MEL_BINS).fill(INITIAL_MEL_VALUE);
}

/** Runs the embedding model on one 76×32 mel window. */
export async function embed(backbone: OwwBackbone, melWindow: Float32Array): Promise<Float32Array> {
  const input = new backbone.Tensor('float32', melWindow, [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
  const out = await backbone.embedding.run({ [backbone.embedding.inputNames[0]!]: input });
  return Float32Array.from(out[backbone.embedding.outputNames[0]!]!.data as Float32Array);
}

export class OwwFeatureStream {
  readonly #backbone: OwwBackbone;
  /** Last samples of the previous hop (int16-scaled), the mel model's left context. */
  #context = new Float32Array(MEL_CONTEXT_SAMPLES);
  #mel = initialMelBuffer();
  #embeddings = new Float32Array(HEAD_WINDOW * EMBEDDING_SIZE);

  constructor(backbone: OwwBackbone) {
    this.#backbone = backbone;
    this.reset();
  }

  reset(): void {
    this.#context = new Float32Array(MEL_CONTEXT_SAMPLES);
    this.#mel = initialMelBuffer();
    for (let i = 0; i < HEAD_WINDOW; i++) this.#embeddings.set(this.#backbone.initialEmbedding, i * EMBEDDING_SIZE);
  }

  /** Consumes one hop of float samples in [-1, 1]; returns the head input window (16×96). */
  async hop(samples: Float32Array): Promise<Float32Array> {
    const input = new Float32Array(MEL_CONTEXT_SAMPLES + HOP_SAMPLES);
    input.set(this.#context);
    for (let i = 0; i < HOP_SAMPLES; i++) input[MEL_CONTEXT_SAMPLES + i] = (samples[i] ?? 0) * INT16_SCALE;
    this.#context = input.slice(input.length - MEL_CONTEXT_SAMPLES);

    const { mel } = this.#backbone;
    const melOut = await mel.run({ [mel.inputNames[0]!]: new this.#backbone.Tensor('float32', input, [1, input.length]) });
    const frames = melOut[mel.outputNames[0]!]!.data as Float32Array;
    const fresh = Math.min(MEL_FRAMES_PER_HOP, Math.floor(frames.length / MEL_BINS));
    const shift = fresh * MEL_BINS;
    this.#mel.copyWithin(0, shift);
    const tail = frames.length - shift;
    for (let i = 0; i < shift; i++) this.#mel[this.#mel.length - shift + i] = frames[tail + i]! / 10 + 2;

    const embedding = await embed(this.#backbone, this.#mel);
    this.#embeddings.copyWithin(0, EMBEDDING_SIZE);
    this.#embeddings.set(embedding, this.#embeddings.length - EMBEDDING_SIZE);
    return this.#embeddings.slice();
  }
}
