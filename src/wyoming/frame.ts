import { WyomingErrorCode, WyomingProtocolError } from './errors.js';
import { pythonJson } from './json.js';

/** The untyped unit on the wire: a header line, an optional JSON data block, an optional payload. */
export interface Frame {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer | undefined;
}

/** Protocol version written in every header; readers ignore it, so it is informational. */
export const WYOMING_VERSION = '1.9.0';

export interface FrameLimits {
  /** Longest header line in bytes, newline excluded (Python's asyncio reader stops at 64 KiB). */
  maxHeaderBytes: number;
  maxDataBytes: number;
  maxPayloadBytes: number;
}

export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxDataBytes: 1024 * 1024,
  maxPayloadBytes: 4 * 1024 * 1024,
});

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Encodes a frame exactly as the reference writer lays it out: header keys in the order
 * `type, version, data_length, payload_length`, a newline, the data block, the payload.
 * Unlike the reference writer, an empty data object is still sent (`{}`), so readers older than
 * wyoming 1.7.2 get a dict instead of `None`.
 */
export function encodeFrame(frame: Frame): Buffer {
  const dataText = pythonJson(frame.data ?? {});
  const dataLength = Buffer.byteLength(dataText, 'utf8');
  const payload = frame.payload;
  const payloadLength = payload?.length ?? 0;
  let header = `{"type": ${JSON.stringify(frame.type)}, "version": "${WYOMING_VERSION}", "data_length": ${dataLength}`;
  if (payloadLength > 0) header += `, "payload_length": ${payloadLength}`;
  header += '}\n';
  // One allocation per frame: header, data block and payload written into place.
  const headerLength = Buffer.byteLength(header, 'utf8');
  const out = Buffer.allocUnsafe(headerLength + dataLength + payloadLength);
  out.write(header, 0, 'utf8');
  out.write(dataText, headerLength, 'utf8');
  if (payload && payloadLength > 0) out.set(payload, headerLength + dataLength);
  return out;
}

type Stage =
  | { kind: 'header' }
  | { kind: 'data'; type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number }
  | { kind: 'payload'; type: string; data: Record<string, unknown>; payloadLength: number };

/** What one {@link FrameDecoder.decode} call yields: the complete frames, then the error that stopped it, if any. */
export interface DecodeResult {
  frames: Frame[];
  error?: WyomingProtocolError | undefined;
}

/**
 * Push decoder: feed bytes split anywhere, get whole frames back. It never touches a socket.
 * Malformed input is a {@link WyomingProtocolError} with a stable code; the frames completed
 * before it are still delivered (a reader answers `describe` before failing on what follows, as
 * the reference reader does). After an error the decoder stays failed (the stream has lost its
 * framing) and reports the same error.
 */
export class FrameDecoder {
  readonly #limits: FrameLimits;
  #buffer: Buffer = EMPTY;
  #offset = 0;
  #stage: Stage = { kind: 'header' };
  #failed: WyomingProtocolError | undefined;
  // Audio streams repeat the same header line and data block for every chunk: remembering the
  // last parse of each skips most JSON work on the hot path.
  #lastHeaderLine = '';
  #lastHeader: ParsedHeader | undefined;
  #lastDataText = '';
  #lastData: Record<string, unknown> | undefined;

  constructor(limits: Partial<FrameLimits> = {}) {
    this.#limits = { ...DEFAULT_FRAME_LIMITS, ...limits };
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.#buffer.length - this.#offset;
  }

  /** True while part of a frame has arrived and the rest has not (a deadline applies to it). */
  get midFrame(): boolean {
    return this.#stage.kind !== 'header' || this.pendingBytes > 0;
  }

  /** The frames completed by `chunk` (and earlier bytes), and the error that stopped decoding, if any. */
  decode(chunk: Uint8Array): DecodeResult {
    if (this.#failed) return { frames: [], error: this.#failed };
    const frames: Frame[] = [];
    try {
      this.#append(chunk);
      let frame: Frame | undefined;
      while ((frame = this.#next()) !== undefined) frames.push(frame);
      this.#compact();
      return { frames };
    } catch (err) {
      this.#failed =
        err instanceof WyomingProtocolError
          ? err
          : new WyomingProtocolError(WyomingErrorCode.DECODER_FAILED, 'decoder failed', { cause: err });
      this.#buffer = EMPTY;
      this.#offset = 0;
      return { frames, error: this.#failed };
    }
  }

  /** Like {@link decode} for callers that stop at the first error: throws it (frames before it included are dropped). */
  push(chunk: Uint8Array): Frame[] {
    const { frames, error } = this.decode(chunk);
    if (error) throw error;
    return frames;
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const incoming = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.#offset >= this.#buffer.length) {
      this.#buffer = incoming;
      this.#offset = 0;
    } else {
      this.#buffer = Buffer.concat([this.#buffer.subarray(this.#offset), incoming]);
      this.#offset = 0;
    }
  }

  #compact(): void {
    if (this.#offset >= this.#buffer.length) {
      this.#buffer = EMPTY;
      this.#offset = 0;
    }
  }

  #take(length: number): Buffer | undefined {
    if (this.#buffer.length - this.#offset < length) return undefined;
    const bytes = this.#buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return bytes;
  }

  #next(): Frame | undefined {
    for (;;) {
      const stage = this.#stage;
      if (stage.kind === 'header') {
        const header = this.#readHeader();
        if (!header) return undefined;
        if (header.dataLength > 0) {
          this.#stage = { kind: 'data', ...header };
        } else if (header.payloadLength > 0) {
          this.#stage = { kind: 'payload', type: header.type, data: header.data, payloadLength: header.payloadLength };
        } else {
          return { type: header.type, data: header.data };
        }
      } else if (stage.kind === 'data') {
        const bytes = this.#take(stage.dataLength);
        if (!bytes) return undefined;
        const block = this.#parseData(bytes);
        const data = isEmpty(stage.data) ? block : { ...stage.data, ...block };
        if (stage.payloadLength > 0) {
          this.#stage = { kind: 'payload', type: stage.type, data, payloadLength: stage.payloadLength };
        } else {
          this.#stage = { kind: 'header' };
          return { type: stage.type, data };
        }
      } else {
        const payload = this.#take(stage.payloadLength);
        if (!payload) return undefined;
        this.#stage = { kind: 'header' };
        return { type: stage.type, data: stage.data, payload };
      }
    }
  }

  #parseData(bytes: Buffer): Record<string, unknown> {
    const text = bytes.toString('utf8');
    if (text !== this.#lastDataText || !this.#lastData) {
      this.#lastData = parseDataBlock(text);
      this.#lastDataText = text;
    }
    return { ...this.#lastData };
  }

  #readHeader(): ParsedHeader | undefined {
    const newline = this.#buffer.indexOf(NEWLINE, this.#offset);
    const lineLength = (newline < 0 ? this.#buffer.length : newline) - this.#offset;
    if (lineLength > this.#limits.maxHeaderBytes) {
      throw new WyomingProtocolError(
        WyomingErrorCode.HEADER_TOO_LARGE,
        `header line longer than ${this.#limits.maxHeaderBytes} bytes`,
      );
    }
    if (newline < 0) return undefined;
    const line = this.#buffer.toString('utf8', this.#offset, newline);
    this.#offset = newline + 1;
    if (line !== this.#lastHeaderLine || !this.#lastHeader) {
      this.#lastHeader = this.#parseHeader(line);
      this.#lastHeaderLine = line;
    }
    const header = this.#lastHeader;
    return { ...header, data: { ...header.data } };
  }

  #parseHeader(line: string): ParsedHeader {
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch (err) {
      throw new WyomingProtocolError(WyomingErrorCode.BAD_HEADER_JSON, 'header line is not valid JSON', { cause: err });
    }
    if (!isPlainObject(header)) {
      throw new WyomingProtocolError(WyomingErrorCode.BAD_HEADER, 'header line is not a JSON object');
    }
    const type = header['type'];
    if (typeof type !== 'string' || type.length === 0) {
      throw new WyomingProtocolError(WyomingErrorCode.MISSING_TYPE, 'header has no "type" string');
    }
    const inline = header['data'];
    if (inline !== undefined && inline !== null && !isPlainObject(inline)) {
      throw new WyomingProtocolError(WyomingErrorCode.BAD_HEADER, '"data" in the header is not an object');
    }
    const dataLength = readLength(header['data_length'], 'data_length', this.#limits.maxDataBytes);
    const payloadLength = readLength(header['payload_length'], 'payload_length', this.#limits.maxPayloadBytes);
    return { type, data: inline ? { ...inline } : {}, dataLength, payloadLength };
  }
}

function readLength(value: unknown, key: 'data_length' | 'payload_length', max: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new WyomingProtocolError(WyomingErrorCode.BAD_LENGTH, `"${key}" must be a non-negative integer`);
  }
  if (value > max) {
    throw new WyomingProtocolError(
      key === 'data_length' ? WyomingErrorCode.DATA_TOO_LARGE : WyomingErrorCode.PAYLOAD_TOO_LARGE,
      `"${key}" ${value} exceeds the limit of ${max} bytes`,
    );
  }
  return value;
}

interface ParsedHeader {
  type: string;
  data: Record<string, unknown>;
  dataLength: number;
  payloadLength: number;
}

function parseDataBlock(text: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new WyomingProtocolError(WyomingErrorCode.BAD_DATA_JSON, 'data block is not valid JSON', { cause: err });
  }
  if (!isPlainObject(data)) {
    throw new WyomingProtocolError(WyomingErrorCode.BAD_DATA_JSON, 'data block is not a JSON object');
  }
  return data;
}

function isEmpty(value: Record<string, unknown>): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
