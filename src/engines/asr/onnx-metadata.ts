/**
 * Reads the `metadata_props` of an ONNX file without loading the model: walks the top-level
 * protobuf fields with positional reads and skips the (large) graph by its length. Used by model
 * discovery to tell model families apart and to learn a Whisper model's languages.
 */
import { open, type FileHandle } from 'node:fs/promises';

const FIELD_METADATA_PROPS = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
/** A metadata entry longer than this is not metadata (guards against reading a non-ONNX file). */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
/** Top-level fields to walk before giving up. */
const MAX_FIELDS = 10_000;

async function readVarint(file: FileHandle, at: number): Promise<{ value: number; next: number } | undefined> {
  const buf = Buffer.alloc(10);
  const { bytesRead } = await file.read(buf, 0, 10, at);
  let value = 0;
  let scale = 1;
  for (let i = 0; i < bytesRead; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

function parseVarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let i = at;
  while (i < buf.length) {
    const byte = buf[i++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) break;
  }
  return { value, next: i };
}

/** Parses one StringStringEntryProto {1: key, 2: value}. */
function parseEntry(buf: Buffer): [string, string] {
  let key = '';
  let value = '';
  let at = 0;
  while (at < buf.length) {
    const tag = parseVarint(buf, at);
    const wire = tag.value & 7;
    if (wire !== WIRE_LEN) break;
    const len = parseVarint(buf, tag.next);
    const text = buf.toString('utf8', len.next, len.next + len.value);
    if (tag.value >>> 3 === 1) key = text;
    else if (tag.value >>> 3 === 2) value = text;
    at = len.next + len.value;
  }
  return [key, value];
}

/** Returns the model's metadata as a plain map; an unreadable file gives an empty map. */
export async function readOnnxMetadata(path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const size = (await file.stat()).size;
    let at = 0;
    for (let n = 0; n < MAX_FIELDS && at < size; n++) {
      const tag = await readVarint(file, at);
      if (!tag) break;
      const field = tag.value >>> 3;
      const wire = tag.value & 7;
      if (wire === WIRE_VARINT) {
        const v = await readVarint(file, tag.next);
        if (!v) break;
        at = v.next;
      } else if (wire === WIRE_I64) at = tag.next + 8;
      else if (wire === WIRE_I32) at = tag.next + 4;
      else if (wire === WIRE_LEN) {
        const len = await readVarint(file, tag.next);
        if (!len) break;
        if (field === FIELD_METADATA_PROPS) {
          if (len.value > MAX_ENTRY_BYTES) break;
          const buf = Buffer.alloc(len.value);
          await file.read(buf, 0, len.value, len.next);
          const [key, value] = parseEntry(buf);
          if (key) out.set(key, value);
        }
        at = len.next + len.value;
      } else break; // not protobuf we understand: stop quietly
    }
  } catch {
    // unreadable: callers treat a missing key as "unknown"
  } finally {
    await file?.close();
  }
  return out;
}

const FIELD_GRAPH = 7;

/**
 * Why a file cannot be an ONNX model (missing, truncated, not protobuf, no graph), or undefined
 * when its top-level framing is sound. The native loaders abort the whole process on such files,
 * so every model file is checked before it is handed to them.
 */
export async function onnxFileProblem(path: string): Promise<string | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const size = (await file.stat()).size;
    if (size === 0) return `${path} is empty`;
    let at = 0;
    let graph = false;
    for (let n = 0; n < MAX_FIELDS && at < size; n++) {
      const tag = await readVarint(file, at);
      if (!tag || tag.value >>> 3 === 0) return `${path} is not an ONNX model`;
      const wire = tag.value & 7;
      if (wire === WIRE_VARINT) {
        const v = await readVarint(file, tag.next);
        if (!v) return `${path} is not an ONNX model`;
        at = v.next;
      } else if (wire === WIRE_I64) at = tag.next + 8;
      else if (wire === WIRE_I32) at = tag.next + 4;
      else if (wire === WIRE_LEN) {
        const len = await readVarint(file, tag.next);
        if (!len) return `${path} is not an ONNX model`;
        if (tag.value >>> 3 === FIELD_GRAPH) graph = true;
        at = len.next + len.value;
      } else return `${path} is not an ONNX model`;
    }
    if (at !== size) return `${path} is truncated or not an ONNX model`;
    if (!graph) return `${path} has no graph`;
    return undefined;
  } catch (err) {
    return `${path}: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await file?.close();
  }
}
