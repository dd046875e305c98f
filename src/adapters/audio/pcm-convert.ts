/**
 * Conversion between what arrives and what a device takes: any PCM format in, the device's
 * rate/width/channels out, with a software gain. Identical formats at unity gain pass through
 * untouched (byte for byte).
 */
import { AudioStreamConverter, PcmFrameAligner, type PcmFormat } from '../../audio/pcm.js';

/** Full scale on each side of zero (the negative side reaches one step further). */
const SCALE: Record<number, { neg: number; pos: number; offset: number }> = {
  1: { neg: 128, pos: 127, offset: 128 },
  2: { neg: 32768, pos: 32767, offset: 0 },
  4: { neg: 2147483648, pos: 2147483647, offset: 0 },
};

function clamp(v: number): number {
  return v > 1 ? 1 : v < -1 ? -1 : v;
}

/** Mono float samples to interleaved PCM in `format` (mono copied to every channel). */
export function encodePcm(samples: Float32Array, format: PcmFormat, gain = 1): Buffer {
  const { width, channels } = format;
  const out = Buffer.allocUnsafe(samples.length * width * channels);
  const scale = SCALE[width] ?? SCALE[2]!;
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = clamp((samples[i] ?? 0) * gain);
    const q = Math.round(v * (v < 0 ? scale.neg : scale.pos)) + scale.offset;
    for (let c = 0; c < channels; c++) {
      if (width === 2) out.writeInt16LE(q, at);
      else if (width === 4) out.writeInt32LE(q, at);
      else out.writeUInt8(q, at);
      at += width;
    }
  }
  return out;
}

export function sameFormat(a: PcmFormat, b: PcmFormat): boolean {
  return a.rate === b.rate && a.width === b.width && a.channels === b.channels;
}

/** One converter per stream: it keeps resampler and frame-alignment state across chunks. */
export class PcmConverter {
  #resampling: AudioStreamConverter | undefined;
  readonly #aligner = new PcmFrameAligner();

  constructor(readonly target: PcmFormat) {}

  push(pcm: Buffer, format: PcmFormat, gain: number): Buffer {
    if (gain === 1 && !this.#resampling && sameFormat(format, this.target)) {
      return this.#aligner.push(pcm, format.width * format.channels);
    }
    this.#resampling ??= new AudioStreamConverter(this.target.rate);
    return encodePcm(this.#resampling.push(pcm, format), this.target, gain);
  }

  flush(gain: number): Buffer {
    if (!this.#resampling) return Buffer.alloc(0);
    return encodePcm(this.#resampling.flush(), this.target, gain);
  }
}

/** Volume in percent to a gain: squared, which sounds closer to even steps than a straight line. */
export function volumeGain(percent: number): number {
  const v = Math.max(0, Math.min(100, percent)) / 100;
  return v * v;
}
