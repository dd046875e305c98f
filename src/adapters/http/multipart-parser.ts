/**
 * A push parser for `multipart/form-data` (RFC 7578): bytes go in as they arrive from the socket,
 * part headers and body chunks come out through callbacks, so a caller can count (and refuse) an
 * upload while it streams instead of after buffering it. Holds at most one delimiter's worth of
 * bytes between pushes, plus one part's headers.
 */
import { SatelliteError } from '../../util/errors.js';

export const MAX_PART_HEADER_BYTES = 16 * 1024;
export const MAX_PARTS = 64;
const MAX_BOUNDARY_LENGTH = 70;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export interface PartInfo {
  /** Form field name from Content-Disposition. */
  name: string;
  /** Present for file parts. */
  filename: string | undefined;
  contentType: string | undefined;
}

export interface MultipartHandlers {
  onPartStart(part: PartInfo): void;
  onPartData(chunk: Buffer): void;
  onPartEnd(): void;
}

type State = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done';

export class MultipartError extends SatelliteError {
  override readonly name = 'MultipartError';
  constructor(message: string) {
    super('SAT_ERR_BAD_MULTIPART', message);
  }
}

/** The boundary parameter of a multipart Content-Type header, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return undefined;
  const params = parseHeaderParams(contentType);
  const boundary = params.get('boundary');
  if (!boundary || boundary.length > MAX_BOUNDARY_LENGTH) return undefined;
  return boundary;
}

export class MultipartParser {
  /** `\r\n--boundary`; the stream is read as if it began with CRLF so the first one matches too. */
  readonly #delimiter: Buffer;
  readonly #handlers: MultipartHandlers;
  #buffer: Buffer = Buffer.from(CRLF);
  #state: State = 'preamble';
  #parts = 0;

  constructor(boundary: string, handlers: MultipartHandlers) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#handlers = handlers;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  push(chunk: Buffer): void {
    if (this.#state === 'done') return;
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    while (this.#step()) {
      // each step consumes bytes or changes state; stop when it needs more input
    }
  }

  /** End of input: the closing delimiter must have been seen. */
  end(): void {
    if (this.#state !== 'done') throw new MultipartError('multipart body ended before its closing boundary');
  }

  #step(): boolean {
    switch (this.#state) {
      case 'preamble':
        return this.#skipTo('after-boundary');
      case 'after-boundary':
        return this.#afterBoundary();
      case 'headers':
        return this.#headers();
      case 'body':
        return this.#body();
      default:
        return false;
    }
  }

  #skipTo(next: State): boolean {
    const at = this.#buffer.indexOf(this.#delimiter);
    if (at < 0) {
      this.#buffer = this.#buffer.subarray(Math.max(0, this.#buffer.length - this.#delimiter.length + 1));
      return false;
    }
    this.#buffer = this.#buffer.subarray(at + this.#delimiter.length);
    this.#state = next;
    return true;
  }

  #afterBoundary(): boolean {
    if (this.#buffer.length < 2) return false;
    const two = this.#buffer.toString('latin1', 0, 2);
    if (two === '--') {
      this.#state = 'done';
      this.#buffer = Buffer.alloc(0);
      return false;
    }
    if (two !== '\r\n') throw new MultipartError('malformed multipart boundary line');
    this.#buffer = this.#buffer.subarray(2);
    this.#state = 'headers';
    return true;
  }

  #headers(): boolean {
    const at = this.#buffer.indexOf(HEADER_END);
    // A part with no headers at all starts its body straight after the boundary line's CRLF.
    const empty = this.#buffer.length >= 2 && this.#buffer[0] === 0x0d && this.#buffer[1] === 0x0a;
    if (at < 0 && !empty) {
      if (this.#buffer.length > MAX_PART_HEADER_BYTES) throw new MultipartError('multipart part headers too large');
      return false;
    }
    const headerText = empty ? '' : this.#buffer.toString('utf8', 0, at);
    this.#buffer = this.#buffer.subarray(empty ? 2 : at + HEADER_END.length);
    if (++this.#parts > MAX_PARTS) throw new MultipartError(`more than ${MAX_PARTS} form fields`);
    this.#handlers.onPartStart(parsePartHeaders(headerText));
    this.#state = 'body';
    return true;
  }

  #body(): boolean {
    const at = this.#buffer.indexOf(this.#delimiter);
    if (at >= 0) {
      if (at > 0) this.#handlers.onPartData(this.#buffer.subarray(0, at));
      this.#buffer = this.#buffer.subarray(at + this.#delimiter.length);
      this.#handlers.onPartEnd();
      this.#state = 'after-boundary';
      return true;
    }
    // Everything but a possible partial delimiter at the end is body.
    const safe = this.#buffer.length - (this.#delimiter.length - 1);
    if (safe > 0) {
      this.#handlers.onPartData(this.#buffer.subarray(0, safe));
      this.#buffer = Buffer.from(this.#buffer.subarray(safe));
    }
    return false;
  }
}

function parsePartHeaders(text: string): PartInfo {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw new MultipartError('multipart part without Content-Disposition: form-data');
  }
  const params = parseHeaderParams(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('multipart part without a field name');
  return { name, filename: params.get('filename'), contentType };
}

/** `type; a=1; b="x y"` → {a: '1', b: 'x y'} (keys lower-cased). */
function parseHeaderParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const key = (match[1] ?? '').toLowerCase();
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
    out.set(key, raw);
  }
  return out;
}
