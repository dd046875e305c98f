/** Minimal RIFF/WAVE reading and writing for integer PCM (and reading float32). */
import { SatelliteError } from '../util/errors.js';
import type { PcmFormat } from './pcm.js';

export interface WavAudio {
  format: PcmFormat;
  /** Interleaved little-endian PCM (for float WAVs: converted to 16-bit). */
  pcm: Buffer;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** A data chunk size that streaming writers leave open: the data runs to the end of the file. */
const WAV_OPEN_LENGTH = 0xffffffff;

/** What a WAV header declares, read without touching the samples. */
export interface WavLayout {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  /** Where the data chunk's samples start. */
  dataOffset: number;
  /** Bytes of the data chunk that are really there (what decoding reads). */
  dataBytes: number;
}

/** Walks the RIFF chunks to the `fmt ` fields and the data chunk, reading no sample. */
export function readWavLayout(bytes: Buffer): WavLayout {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new SatelliteError('SAT_ERR_BAD_WAV', 'not a RIFF/WAVE file');
  }
  let at = 12;
  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | undefined;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new SatelliteError('SAT_ERR_BAD_WAV', 'truncated fmt chunk');
      let tag = bytes.readUInt16LE(body);
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) tag = bytes.readUInt16LE(body + 24);
      fmt = { tag, channels: bytes.readUInt16LE(body + 2), rate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new SatelliteError('SAT_ERR_BAD_WAV', 'data chunk before fmt chunk');
      // Streaming writers put 0 or 0xFFFFFFFF here: take what is there.
      const present = bytes.length - body;
      const dataBytes = size === 0 || size === WAV_OPEN_LENGTH || size > present ? present : size;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    at = body + size + (size % 2);
  }
  throw new SatelliteError('SAT_ERR_BAD_WAV', 'no data chunk in WAV file');
}

/** Bytes per sample once read: 24-bit and float samples become 16-bit PCM. */
export function decodedWidth(layout: Pick<WavLayout, 'tag' | 'bits'>): number {
  return layout.tag === WAVE_FORMAT_IEEE_FLOAT || layout.bits === 24 ? 2 : layout.bits / 8;
}

export function parseWav(bytes: Buffer): WavAudio {
  const layout = readWavLayout(bytes);
  return toAudio(layout, bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes));
}

function toAudio(fmt: { tag: number; channels: number; rate: number; bits: number }, data: Buffer): WavAudio {
  if (fmt.channels < 1 || fmt.rate < 1) throw new SatelliteError('SAT_ERR_BAD_WAV', 'WAV header has no channels or rate');
  if (fmt.tag === WAVE_FORMAT_PCM && [8, 16, 32].includes(fmt.bits)) {
    return { format: { rate: fmt.rate, width: fmt.bits / 8, channels: fmt.channels }, pcm: data };
  }
  if (fmt.tag === WAVE_FORMAT_PCM && fmt.bits === 24) {
    const frames = Math.floor(data.length / 3);
    const out = Buffer.allocUnsafe(frames * 2);
    for (let i = 0; i < frames; i++) out.writeInt16LE(data.readIntLE(i * 3, 3) >> 8, i * 2);
    return { format: { rate: fmt.rate, width: 2, channels: fmt.channels }, pcm: out };
  }
  if (fmt.tag === WAVE_FORMAT_IEEE_FLOAT && fmt.bits === 32) {
    const n = Math.floor(data.length / 4);
    const out = Buffer.allocUnsafe(n * 2);
    for (let i = 0; i < n; i++) {
      const v = Math.max(-1, Math.min(1, data.readFloatLE(i * 4)));
      out.writeInt16LE(Math.round(v * 32767), i * 2);
    }
    return { format: { rate: fmt.rate, width: 2, channels: fmt.channels }, pcm: out };
  }
  throw new SatelliteError('SAT_ERR_BAD_WAV', `unsupported WAV encoding (format ${fmt.tag}, ${fmt.bits} bits)`);
}

/** A 44-byte PCM WAV header. `dataBytes` of 0xFFFFFFFF marks a stream of unknown length. */
export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  const streaming = dataBytes >= 0xffffffff;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(streaming ? 0xffffffff : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.rate, 24);
  header.writeUInt32LE(format.rate * format.width * format.channels, 28);
  header.writeUInt16LE(format.width * format.channels, 32);
  header.writeUInt16LE(format.width * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(streaming ? 0xffffffff : dataBytes, 40);
  return header;
}

export function encodeWav(pcm: Buffer, format: PcmFormat): Buffer {
  return Buffer.concat([wavHeader(format, pcm.length), pcm]);
}
