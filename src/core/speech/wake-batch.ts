/**
 * Collects the raw PCM of small audio chunks (Home Assistant sends 10 ms ones) until they make
 * one 80 ms wake hop, so that conversion to float, the listener and the engines run once per hop
 * instead of once per chunk. A chunk of a hop or more passes through uncopied; a change of
 * format first hands over what was collected in the old one. The declared format is checked
 * before any byte is kept, so a bad chunk fails at once as it did unbatched.
 */
import { checkFormat, type PcmFormat } from '../../audio/pcm.js';

/** One wake hop (openWakeWord's stride); the keyword spotter takes audio in any step. */
export const WAKE_BATCH_MS = 80;

export interface PcmPiece {
  bytes: Uint8Array;
  format: PcmFormat;
}

export class PcmBatch {
  #buffer = Buffer.alloc(0);
  #length = 0;
  #format: PcmFormat | undefined;

  /** Bytes held back now (less than one batch). */
  get pending(): number {
    return this.#length;
  }

  /** Adds a chunk; returns the audio now due for conversion, in order (none while under one batch). */
  push(bytes: Uint8Array, format: PcmFormat): PcmPiece[] {
    checkFormat(format);
    const due: PcmPiece[] = [];
    if (this.#length > 0 && !sameFormat(this.#format!, format)) due.push(this.#take()!);
    const batchBytes = bytesPerBatch(format);
    if (bytes.length >= batchBytes) {
      const held = this.#take();
      if (held) due.push(held);
      due.push({ bytes, format });
      return due;
    }
    this.#append(bytes, batchBytes);
    this.#format = format;
    if (this.#length >= batchBytes) due.push(this.#take()!);
    return due;
  }

  /** What is held back (the end of a stream), or undefined when nothing is. */
  flush(): PcmPiece | undefined {
    return this.#take();
  }

  clear(): void {
    this.#length = 0;
    this.#format = undefined;
  }

  /** The held bytes (a copy: the buffer is reused for the next chunks, maybe within the same push). */
  #take(): PcmPiece | undefined {
    if (this.#length === 0 || !this.#format) return undefined;
    const piece = { bytes: Buffer.from(this.#buffer.subarray(0, this.#length)), format: this.#format };
    this.#length = 0;
    return piece;
  }

  #append(bytes: Uint8Array, batchBytes: number): void {
    const needed = this.#length + bytes.length;
    if (needed > this.#buffer.length) {
      const grown = Buffer.alloc(Math.max(needed, 2 * batchBytes));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#length);
    this.#length = needed;
  }
}

export function bytesPerBatch(format: PcmFormat): number {
  const frame = format.width * format.channels;
  return Math.max(frame, Math.round((format.rate * WAKE_BATCH_MS) / 1000) * frame);
}

function sameFormat(a: PcmFormat, b: PcmFormat): boolean {
  return a.rate === b.rate && a.width === b.width && a.channels === b.channels;
}
