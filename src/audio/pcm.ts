/**
 * Pure PCM helpers. Engines take Float32 mono at their own rate; adapters convert whatever arrives
 * (rate, width 1/2/4, 1..n channels) and write 16-bit little-endian PCM on the way out.
 *
 * Audio comes from peers, so the work a chunk can cause is bounded by its declared format before
 * any conversion: rates outside speech's range are refused (a 4 MiB chunk declared at 100 Hz would
 * resample to gigabytes), and one chunk may carry at most {@link MAX_CHUNK_SECONDS} of audio.
 */
import { SatelliteError } from '../util/errors.js';

export interface PcmFormat {
  rate: number;
  width: number;
  channels: number;
}

export const SUPPORTED_WIDTHS: readonly number[] = [1, 2, 4];
export const MAX_CHANNELS = 8;
/** Telephone audio; nothing slower carries speech. */
export const MIN_RATE = 8_000;
export const MAX_RATE = 192_000;
/** Longest audio one chunk may carry (clients stream 10–100 ms chunks; a whole utterance at most). */
export const MAX_CHUNK_SECONDS = 30;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Throws SAT_ERR_AUDIO_FORMAT when a format cannot be decoded. */
export function checkFormat(format: PcmFormat): void {
  const { rate, width, channels } = format;
  if (!Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw new SatelliteError('SAT_ERR_AUDIO_FORMAT', `unsupported sample rate ${rate} (use ${MIN_RATE}–${MAX_RATE} Hz)`);
  }
  if (!SUPPORTED_WIDTHS.includes(width)) {
    throw new SatelliteError('SAT_ERR_AUDIO_FORMAT', `unsupported sample width ${width} (use 1, 2 or 4 bytes)`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new SatelliteError('SAT_ERR_AUDIO_FORMAT', `unsupported channel count ${channels}`);
  }
}

/** Seconds of audio in `bytes` of PCM in `format` (whole frames), known before decoding anything. */
export function pcmSeconds(bytes: number, format: PcmFormat): number {
  return Math.floor(bytes / (format.width * format.channels)) / format.rate;
}

/**
 * Decodes interleaved PCM to mono float32 in [-1, 1] by averaging channels. Width 1 is unsigned
 * 8-bit (WAV convention), 2 and 4 are signed little-endian. A trailing partial frame is ignored;
 * callers that stream keep the remainder with {@link PcmFrameAligner}.
 */
export function pcmToFloatMono(bytes: Uint8Array, format: PcmFormat): Float32Array {
  const { width, channels } = format;
  const frameBytes = width * channels;
  const frames = Math.floor(bytes.length / frameBytes);
  const out = new Float32Array(frames);
  if (width === 2 && channels === 1 && bytes.byteOffset % 2 === 0 && LITTLE_ENDIAN) {
    // The common case (16-bit mono, every audio chunk from Home Assistant): read samples directly.
    const samples = new Int16Array(bytes.buffer, bytes.byteOffset, frames);
    for (let i = 0; i < frames; i++) out[i] = samples[i]! / 32768;
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const base = f * frameBytes;
    for (let c = 0; c < channels; c++) {
      const at = base + c * width;
      if (width === 2) sum += view.getInt16(at, true) / 32768;
      else if (width === 4) sum += view.getInt32(at, true) / 2147483648;
      else sum += (view.getUint8(at) - 128) / 128;
    }
    out[f] = sum / channels;
  }
  return out;
}

/**
 * Float32 samples to 16-bit little-endian PCM, clamped. A typed-array loop: this runs for every
 * sample the daemon speaks, and Buffer.writeInt16LE per sample costs several times more.
 */
export function floatToInt16Bytes(samples: Float32Array, gain = 1): Buffer {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! * gain;
    out[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v < 0 ? v * 32768 : v * 32767);
  }
  // Int16Array is in platform byte order.
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  return LITTLE_ENDIAN ? bytes : bytes.swap16();
}

/** One-shot linear-interpolation resampling. Good enough for speech models; see {@link StreamResampler} for streams. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const resampler = new StreamResampler(fromRate, toRate);
  const head = resampler.push(samples);
  const tail = resampler.flush();
  if (tail.length === 0) return head;
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/**
 * Streaming resampler: linear interpolation with a simple averaging low-pass when downsampling,
 * keeping state across chunks so chunk boundaries do not click.
 */
export class StreamResampler {
  readonly #step: number;
  readonly #taps: number;
  #position = 0; // fractional read position relative to #history[0]
  #history: Float32Array = new Float32Array(0);

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.#step = fromRate / toRate;
    this.#taps = fromRate > toRate ? Math.max(1, Math.round(this.#step)) : 1;
  }

  push(input: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) return input;
    const source = this.#taps > 1 ? this.#lowPass(input) : input;
    const joined = new Float32Array(this.#history.length + source.length);
    joined.set(this.#history);
    joined.set(source, this.#history.length);
    // Sized for the most samples this chunk can yield; runs on every resampled audio chunk.
    const out = new Float32Array(Math.max(0, Math.ceil((joined.length - this.#position) / this.#step) + 1));
    let count = 0;
    let pos = this.#position;
    while (pos + 1 < joined.length) {
      const i = Math.floor(pos);
      const frac = pos - i;
      out[count++] = (joined[i] ?? 0) * (1 - frac) + (joined[i + 1] ?? 0) * frac;
      pos += this.#step;
    }
    // The next read position may already lie past the end of this chunk (downsampling steps over
    // more than one sample): keep that offset instead of dropping it.
    const keepFrom = Math.min(joined.length, Math.max(0, Math.floor(pos)));
    this.#history = joined.slice(keepFrom);
    this.#position = pos - keepFrom;
    return out.subarray(0, count);
  }

  /** Emits what is left at the end of a stream. */
  flush(): Float32Array {
    if (this.fromRate === this.toRate || this.#history.length === 0) return new Float32Array(0);
    const out: number[] = [];
    let pos = this.#position;
    while (pos < this.#history.length) {
      out.push(this.#history[Math.floor(pos)] ?? 0);
      pos += this.#step;
    }
    this.#history = new Float32Array(0);
    this.#position = 0;
    return Float32Array.from(out);
  }

  #lowPassTail: Float32Array = new Float32Array(0);

  #lowPass(input: Float32Array): Float32Array {
    const taps = this.#taps;
    const joined = new Float32Array(this.#lowPassTail.length + input.length);
    joined.set(this.#lowPassTail);
    joined.set(input, this.#lowPassTail.length);
    const out = new Float32Array(input.length);
    const offset = this.#lowPassTail.length;
    for (let i = 0; i < input.length; i++) {
      let sum = 0;
      let n = 0;
      for (let k = 0; k < taps; k++) {
        const j = offset + i - k;
        if (j < 0) break;
        sum += joined[j] ?? 0;
        n++;
      }
      out[i] = sum / n;
    }
    this.#lowPassTail = joined.slice(Math.max(0, joined.length - (taps - 1)));
    return out;
  }
}

/** Keeps a partial trailing frame between chunks so odd byte counts never shift the samples. */
export class PcmFrameAligner {
  #rest: Buffer = Buffer.alloc(0);

  /** Returns the whole frames available, holding back a partial one. */
  push(bytes: Uint8Array, frameBytes: number): Buffer {
    const joined = this.#rest.length ? Buffer.concat([this.#rest, bytes]) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const usable = joined.length - (joined.length % frameBytes);
    this.#rest = Buffer.from(joined.subarray(usable));
    return joined.subarray(0, usable);
  }

  get pending(): number {
    return this.#rest.length;
  }
}

/**
 * Converts a stream of chunks in any (possibly changing) input format to mono float32 at a target
 * rate. One converter per audio stream; it keeps resampler and frame-alignment state.
 */
export class AudioStreamConverter {
  #format: PcmFormat | undefined;
  #resampler: StreamResampler | undefined;
  readonly #aligner = new PcmFrameAligner();

  constructor(readonly targetRate: number) {}

  push(bytes: Uint8Array, format: PcmFormat): Float32Array {
    checkFormat(format);
    const seconds = pcmSeconds(bytes.length + this.#aligner.pending, format);
    if (seconds > MAX_CHUNK_SECONDS) {
      throw new SatelliteError('SAT_ERR_AUDIO_CHUNK_TOO_LONG', `one audio chunk carries ${seconds.toFixed(1)} s; the limit is ${MAX_CHUNK_SECONDS} s`);
    }
    if (!this.#format || this.#format.rate !== format.rate) {
      this.#resampler = new StreamResampler(format.rate, this.targetRate);
    }
    this.#format = format;
    const aligned = this.#aligner.push(bytes, format.width * format.channels);
    const mono = pcmToFloatMono(aligned, format);
    return this.#resampler ? this.#resampler.push(mono) : mono;
  }

  flush(): Float32Array {
    return this.#resampler ? this.#resampler.flush() : new Float32Array(0);
  }
}

/** Joins sample buffers into one. */
export function concatSamples(chunks: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
