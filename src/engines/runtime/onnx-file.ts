/**
 * Reading an ONNX file's top level without loading the model: a ModelProto is a protobuf message,
 * so its fields can be walked by tag and length with a few small positional reads, skipping the
 * (large) graph. Used to read `metadata_props` (field 14: repeated {key = 1, value = 2}), which the
 * sherpa-onnx loaders and our model discovery depend on, and to check a file's framing before a
 * native loader sees it (they end the whole process on a malformed file).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SatelliteError } from '../../util/errors.js';

export const ONNX_METADATA_FIELD = 14;
const ONNX_GRAPH_FIELD = 7;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
/** Bytes read per top-level field header (a tag and a length fit easily). */
const HEADER_READ_BYTES = 20;
/** A metadata entry larger than this is not metadata. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
/** Top-level fields walked before giving up (models have tens; metadata a few hundred at most). */
const MAX_FIELDS = 10_000;

export interface OnnxField {
  field: number;
  wire: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the value (after tag and length). */
  valueStart: number;
  end: number;
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'truncated varint in ONNX file');
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'malformed varint in ONNX file');
}

/** Parses one top-level field header from `head` (bytes starting at file offset `offset`). */
export function fieldAt(head: Uint8Array, offset: number, fileSize: number): OnnxField {
  const tag = readVarint(head, 0);
  const field = Math.floor(tag.value / 8);
  const wire = tag.value % 8;
  let valueStart = offset + tag.next;
  let end: number;
  if (wire === WIRE_VARINT) {
    end = offset + readVarint(head, tag.next).next;
  } else if (wire === WIRE_LENGTH) {
    const len = readVarint(head, tag.next);
    valueStart = offset + len.next;
    end = valueStart + len.value;
  } else if (wire === WIRE_FIXED64) {
    end = valueStart + 8;
  } else if (wire === WIRE_FIXED32) {
    end = valueStart + 4;
  } else {
    throw new SatelliteError('SAT_ERR_MODEL_INVALID', `unexpected wire type ${wire} at offset ${offset}: not an ONNX model`);
  }
  if (field === 0 || end > fileSize) throw new SatelliteError('SAT_ERR_MODEL_INVALID', `malformed or truncated ONNX file near offset ${offset}`);
  return { field, wire, start: offset, valueStart, end };
}

/** Top-level fields of an in-memory ONNX model. */
export function onnxFields(bytes: Buffer): OnnxField[] {
  const fields: OnnxField[] = [];
  for (let at = 0; at < bytes.length; ) {
    const f = fieldAt(bytes.subarray(at, at + HEADER_READ_BYTES), at, bytes.length);
    fields.push(f);
    at = f.end;
  }
  return fields;
}

/** Top-level fields of an ONNX file, read a header at a time. */
async function* fileFields(handle: FileHandle, size: number): AsyncGenerator<OnnxField> {
  const head = Buffer.alloc(HEADER_READ_BYTES);
  for (let at = 0, n = 0; at < size; n++) {
    if (n >= MAX_FIELDS) throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'too many top-level fields: not an ONNX model');
    const { bytesRead } = await handle.read(head, 0, HEADER_READ_BYTES, at);
    const f = fieldAt(head.subarray(0, bytesRead), at, size);
    yield f;
    at = f.end;
  }
}

/** Decodes one StringStringEntryProto {1: key, 2: value}. */
export function decodeMetadataEntry(bytes: Uint8Array): { key: string; value: string } {
  let key = '';
  let value = '';
  for (const f of onnxFields(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))) {
    if (f.wire !== WIRE_LENGTH) continue;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + f.valueStart, f.end - f.valueStart).toString('utf8');
    if (f.field === 1) key = text;
    else if (f.field === 2) value = text;
  }
  return { key, value };
}

async function withFile<T>(path: string, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `cannot open ${path}`, { cause: err });
  });
  try {
    return await use(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

/** Reads `metadata_props`. Throws SAT_ERR_MODEL_NOT_FOUND or SAT_ERR_MODEL_INVALID. */
export function readOnnxMetadata(path: string): Promise<Record<string, string>> {
  return withFile(path, async (handle, size) => {
    const out: Record<string, string> = {};
    for await (const f of fileFields(handle, size)) {
      if (f.field !== ONNX_METADATA_FIELD || f.wire !== WIRE_LENGTH || f.end - f.valueStart > MAX_ENTRY_BYTES) continue;
      const body = Buffer.alloc(f.end - f.valueStart);
      await handle.read(body, 0, body.length, f.valueStart);
      const { key, value } = decodeMetadataEntry(body);
      if (key) out[key] = value;
    }
    return out;
  });
}

/** `metadata_props`, or an empty object when the file cannot be read (discovery treats keys as unknown). */
export async function readOnnxMetadataOrEmpty(path: string): Promise<Record<string, string>> {
  return readOnnxMetadata(path).catch(() => ({}));
}

/** Why a file cannot be an ONNX model (missing, empty, truncated, not protobuf, no graph), or undefined. */
export async function onnxFileProblem(path: string): Promise<string | undefined> {
  try {
    return await withFile(path, async (handle, size) => {
      if (size === 0) return `${path} is empty`;
      let graph = false;
      for await (const f of fileFields(handle, size)) if (f.field === ONNX_GRAPH_FIELD && f.wire === WIRE_LENGTH) graph = true;
      return graph ? undefined : `${path} has no graph`;
    });
  } catch (err) {
    return `${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
