import { WYOMING_VERSION, type Frame } from './frame-format.js';
import { pythonJson } from './json.js';

/**
 * Encodes a frame exactly as the reference writer lays it out: header keys in the order
 * `type, version, data_length, payload_length`, a newline, the data block, the payload.
 * Unlike the reference writer, an empty data object is still sent (`{}`), so readers older than
 * wyoming 1.7.2 get a dict instead of `None`.
 */
export function encodeFrame(frame: Frame): Buffer {
  const data = frame.data ?? {};
  const payload = frame.payload;
  const payloadLength = payload?.length ?? 0;
  // An audio stream repeats the same header and data block for every chunk: those bytes are
  // copied from the previous frame instead of being laid out and transcoded again.
  const head = lastHead.matches(frame.type, data, payloadLength) ? lastHead.bytes() : undefined;
  if (head !== undefined) {
    const out = Buffer.allocUnsafe(head.length + payloadLength);
    head.copy(out, 0);
    if (payload && payloadLength > 0) payload.copy(out, head.length);
    return out;
  }
  const dataText = pythonJson(data);
  const prefix = headerPrefix(frame.type);
  const dataLength = Buffer.byteLength(dataText, 'utf8');
  const text =
    prefix.text + dataLength + (payloadLength > 0 ? `, "payload_length": ${payloadLength}}\n` : '}\n') + dataText;
  // UTF-8 length equals the UTF-16 length only for pure ASCII: then a latin1 write (a plain
  // narrowing copy) lays out the header and data block without UTF-8 transcoding.
  const ascii = prefix.ascii && dataLength === dataText.length;
  const textLength = ascii ? text.length : Buffer.byteLength(text, 'utf8');
  // One allocation per frame (from Node's shared pool for audio-sized frames).
  const out = Buffer.allocUnsafe(textLength + payloadLength);
  out.write(text, 0, ascii ? 'latin1' : 'utf8');
  if (payload && payloadLength > 0) payload.copy(out, textLength);
  lastHead.remember(frame.type, data, payloadLength, text);
  return out;
}

interface HeaderPrefix {
  /** `{"type": "...", "version": "...", "data_length": ` */
  text: string;
  ascii: boolean;
}

/** Types seen by the encoder; the set is small (our own event types), the bound is a safety net. */
const MAX_CACHED_PREFIXES = 256;
const prefixes = new Map<string, HeaderPrefix>();

function headerPrefix(type: string): HeaderPrefix {
  let prefix = prefixes.get(type);
  if (prefix === undefined) {
    const text = `{"type": ${JSON.stringify(type)}, "version": "${WYOMING_VERSION}", "data_length": `;
    prefix = { text, ascii: Buffer.byteLength(text, 'utf8') === text.length };
    if (prefixes.size >= MAX_CACHED_PREFIXES) prefixes.clear();
    prefixes.set(type, prefix);
  }
  return prefix;
}

/** Data blocks with more members than this are not remembered (audio events have four). */
const MAX_TEMPLATE_MEMBERS = 8;

/**
 * The header line and data block of the last frame written, with what produced them: a type,
 * a payload length and a flat data object of primitive members (compared by value, in order).
 * The bytes are made on the first repeat, so a stream of always-different frames pays only for
 * remembering the members.
 */
class HeadTemplate {
  #type = '';
  #payloadLength = -1;
  #keys: string[] = [];
  #values: unknown[] = [];
  #text = '';
  #bytes: Buffer | undefined;

  matches(type: string, data: Record<string, unknown>, payloadLength: number): boolean {
    if (type !== this.#type || payloadLength !== this.#payloadLength) return false;
    const keys = this.#keys;
    const values = this.#values;
    let i = 0;
    for (const key in data) {
      if (!Object.hasOwn(data, key)) continue;
      if (i >= keys.length || key !== keys[i] || data[key] !== values[i]) return false;
      i++;
    }
    return i === keys.length;
  }

  bytes(): Buffer {
    return (this.#bytes ??= Buffer.from(this.#text, 'utf8'));
  }

  remember(type: string, data: Record<string, unknown>, payloadLength: number, text: string): void {
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const key in data) {
      if (!Object.hasOwn(data, key)) continue;
      const value = data[key];
      // objects could change in place; undefined members and NaN never compare equal
      if (!isTemplateValue(value) || keys.length === MAX_TEMPLATE_MEMBERS) {
        this.#type = '';
        return;
      }
      keys.push(key);
      values.push(value);
    }
    this.#type = type;
    this.#payloadLength = payloadLength;
    this.#keys = keys;
    this.#values = values;
    this.#text = text;
    this.#bytes = undefined;
  }
}

function isTemplateValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

const lastHead = new HeadTemplate();
