/**
 * G.711 μ-law and A-law (ITU-T G.711), the telephone formats the Realtime spec allows besides
 * PCM: one byte per sample at 8 kHz, converted to and from 16-bit little-endian PCM.
 */

export type Codec = 'pcm16' | 'pcmu' | 'pcma';
export const G711_RATE = 8_000;

const BIAS = 0x84;

function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = exponent === 0 ? t + 8 : ((t + 0x108) << (exponent - 1));
  return a & 0x80 ? t : -t;
}

/** Segment ends of the 14-bit magnitude (the classic Sun/CCITT reference the ITU tables come from). */
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ULAW_CLIP = 8_159;

function linearToUlaw(sample: number): number {
  let v = sample >> 2;
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  v = Math.min(v, ULAW_CLIP) + (BIAS >> 2);
  let segment = 0;
  while (segment < 8 && v > SEG_UEND[segment]!) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((v >> (segment + 1)) & 0x0f)) ^ mask;
}

function linearToAlaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const s = Math.min(sample >= 0 ? sample : -sample - 1, 32_767) >> 3;
  let out: number;
  if (s < 32) out = s >> 1;
  else {
    let exponent = 1;
    while (s >> (exponent + 4) > 1 && exponent < 7) exponent++;
    out = (exponent << 4) | ((s >> exponent) & 0x0f);
  }
  return (out | sign) ^ 0x55;
}

const DECODE = { pcmu: new Int16Array(256).map((_, i) => ulawToLinear(i)), pcma: new Int16Array(256).map((_, i) => alawToLinear(i)) };

/** G.711 bytes → 16-bit little-endian PCM (twice as many bytes). */
export function decodeG711(bytes: Uint8Array, codec: 'pcmu' | 'pcma'): Buffer {
  const table = DECODE[codec];
  const out = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) out.writeInt16LE(table[bytes[i]!]!, i * 2);
  return out;
}

/** 16-bit little-endian PCM → G.711 bytes (a trailing odd byte is ignored). */
export function encodeG711(pcm: Buffer, codec: 'pcmu' | 'pcma'): Buffer {
  const encode = codec === 'pcmu' ? linearToUlaw : linearToAlaw;
  const out = Buffer.alloc(Math.floor(pcm.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = encode(pcm.readInt16LE(i * 2));
  return out;
}
