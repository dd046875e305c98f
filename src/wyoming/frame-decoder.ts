import { WyomingErrorCode, WyomingProtocolError } from './errors.js';
import { DEFAULT_FRAME_LIMITS, type Frame, type FrameLimits } from './frame-format.js';

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
/** First size of the carry buffer; it doubles from there, never past the element's own length. */
const MIN_CARRY_BYTES = 4096;

const HEADER = 0;
const DATA = 1;
const PAYLOAD = 2;
type Stage = typeof HEADER | typeof DATA | typeof PAYLOAD;

/** What one {@link FrameDecoder.decode} call yields: the complete frames, then the error that stopped it, if any. */
export interface DecodeResult {
  frames: Frame[];
  error?: WyomingProtocolError | undefined;
}

interface ParsedHeader {
  type: string;
  /** Data inside the header line (older writers); undefined when absent or empty. */
  inline: Record<string, unknown> | undefined;
  dataLength: number;
  payloadLength: number;
}

/**
 * Push decoder: feed bytes split anywhere, get whole frames back. It never touches a socket.
 * Malformed input is a {@link WyomingProtocolError} with a stable code; the frames completed
 * before it are still delivered (a reader answers `describe` before failing on what follows, as
 * the reference reader does). After an error the decoder stays failed (the stream has lost its
 * framing) and reports the same error.
 *
 * Elements (header line, data block, payload) that lie inside one chunk are read in place; only
 * an element split across chunks is copied, into a carry that grows with what has arrived (never
 * with what a header merely declares).
 */
export class FrameDecoder {
  readonly #limits: FrameLimits;
  #chunk: Buffer = EMPTY;
  #offset = 0;
  readonly #carry = new Carry();
  #stage: Stage = HEADER;
  #header: ParsedHeader | undefined;
  #data: Record<string, unknown> | undefined;
  #failed: WyomingProtocolError | undefined;
  // Audio streams repeat the same header line and data block for every chunk: comparing bytes
  // with the last ones parsed skips the UTF-8 decoding and JSON work on the hot path.
  #lastHeaderLine: Buffer = EMPTY;
  #lastHeader: ParsedHeader | undefined;
  #lastDataBlock: Buffer = EMPTY;
  #lastData: Record<string, unknown> | undefined;

  constructor(limits: Partial<FrameLimits> = {}) {
    this.#limits = { ...DEFAULT_FRAME_LIMITS, ...limits };
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.#carry.length + this.#chunk.length - this.#offset;
  }

  /** True while part of a frame has arrived and the rest has not (a deadline applies to it). */
  get midFrame(): boolean {
    return this.#stage !== HEADER || this.pendingBytes > 0;
  }

  /** The frames completed by `chunk` (and earlier bytes), and the error that stopped decoding, if any. */
  decode(chunk: Uint8Array): DecodeResult {
    if (this.#failed) return { frames: [], error: this.#failed };
    const frames: Frame[] = [];
    if (chunk.length === 0) return { frames };
    this.#chunk = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#offset = 0;
    try {
      let frame: Frame | undefined;
      while ((frame = this.#next()) !== undefined) frames.push(frame);
      return { frames };
    } catch (err) {
      this.#failed =
        err instanceof WyomingProtocolError
          ? err
          : new WyomingProtocolError(WyomingErrorCode.DECODER_FAILED, 'decoder failed', { cause: err });
      this.#carry.clear();
      return { frames, error: this.#failed };
    } finally {
      // every byte of the chunk is now in a frame or in the carry
      this.#chunk = EMPTY;
      this.#offset = 0;
    }
  }

  /** Like {@link decode} for callers that stop at the first error: throws it (frames before it included are dropped). */
  push(chunk: Uint8Array): Frame[] {
    const { frames, error } = this.decode(chunk);
    if (error) throw error;
    return frames;
  }

  #next(): Frame | undefined {
    for (;;) {
      if (this.#stage === HEADER) {
        const header = this.#readHeader();
        if (!header) return undefined;
        const data = header.inline ? { ...header.inline } : {};
        if (header.dataLength > 0) {
          this.#stage = DATA;
        } else if (header.payloadLength > 0) {
          this.#data = data;
          this.#stage = PAYLOAD;
        } else {
          return { type: header.type, data };
        }
        this.#header = header;
      } else if (this.#stage === DATA) {
        const header = this.#header!;
        const bytes = this.#take(header.dataLength);
        if (!bytes) return undefined;
        const block = this.#parseData(bytes);
        const data = header.inline ? { ...header.inline, ...block } : block;
        if (header.payloadLength === 0) {
          this.#stage = HEADER;
          return { type: header.type, data };
        }
        this.#data = data;
        this.#stage = PAYLOAD;
      } else {
        const header = this.#header!;
        const payload = this.#take(header.payloadLength);
        if (!payload) return undefined;
        const data = this.#data!;
        this.#data = undefined;
        this.#stage = HEADER;
        return { type: header.type, data, payload };
      }
    }
  }

  /** `length` bytes, in place when the chunk holds them all, else gathered in the carry. */
  #take(length: number): Buffer | undefined {
    const chunk = this.#chunk;
    const start = this.#offset;
    const available = chunk.length - start;
    const carried = this.#carry.length;
    if (carried === 0 && available >= length) {
      this.#offset = start + length;
      return chunk.subarray(start, start + length);
    }
    const missing = length - carried;
    if (available < missing) {
      this.#carry.append(chunk, start, chunk.length, length);
      this.#offset = chunk.length;
      return undefined;
    }
    this.#carry.append(chunk, start, start + missing, length);
    this.#offset = start + missing;
    return this.#carry.take();
  }

  #readHeader(): ParsedHeader | undefined {
    const chunk = this.#chunk;
    const start = this.#offset;
    const newline = chunk.indexOf(NEWLINE, start);
    const max = this.#limits.maxHeaderBytes;
    const lineLength = this.#carry.length + (newline < 0 ? chunk.length : newline) - start;
    if (lineLength > max) {
      throw new WyomingProtocolError(WyomingErrorCode.HEADER_TOO_LARGE, `header line longer than ${max} bytes`);
    }
    if (newline < 0) {
      this.#carry.append(chunk, start, chunk.length, max);
      this.#offset = chunk.length;
      return undefined;
    }
    this.#offset = newline + 1;
    let line: Buffer;
    if (this.#carry.length === 0) {
      const last = this.#lastHeaderLine;
      if (this.#lastHeader && last.length === lineLength && chunk.compare(last, 0, lineLength, start, newline) === 0) {
        return this.#lastHeader;
      }
      line = chunk.subarray(start, newline);
    } else {
      this.#carry.append(chunk, start, newline, max);
      line = this.#carry.take();
      if (this.#lastHeader && line.equals(this.#lastHeaderLine)) return this.#lastHeader;
    }
    const header = this.#parseHeader(line.toString('utf8'));
    this.#lastHeader = header;
    this.#lastHeaderLine = Buffer.from(line);
    return header;
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
    return { type, inline: inline && !isEmpty(inline) ? inline : undefined, dataLength, payloadLength };
  }

  #parseData(bytes: Buffer): Record<string, unknown> {
    if (!this.#lastData || !bytes.equals(this.#lastDataBlock)) {
      this.#lastData = parseDataBlock(bytes.toString('utf8'));
      this.#lastDataBlock = Buffer.from(bytes);
    }
    return { ...this.#lastData };
  }
}

/**
 * Bytes of one element that arrived over several chunks. Its buffer doubles as bytes arrive,
 * capped at the element's length, so a declared length alone allocates nothing.
 */
class Carry {
  #bytes: Buffer = EMPTY;
  length = 0;

  append(source: Buffer, start: number, end: number, cap: number): void {
    const needed = this.length + end - start;
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(needed, this.#bytes.length * 2, MIN_CARRY_BYTES)));
      this.#bytes.copy(grown, 0, 0, this.length);
      this.#bytes = grown;
    }
    source.copy(this.#bytes, this.length, start, end);
    this.length = needed;
  }

  /** Hands over the gathered bytes; the carry starts empty again. */
  take(): Buffer {
    const out = this.#bytes.subarray(0, this.length);
    this.clear();
    return out;
  }

  clear(): void {
    this.#bytes = EMPTY;
    this.length = 0;
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
