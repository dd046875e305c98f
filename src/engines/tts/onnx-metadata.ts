/**
 * Reading and writing an ONNX model's `metadata_props` (ModelProto field 14, repeated
 * StringStringEntryProto {key = 1, value = 2}). sherpa-onnx takes a TTS model's sample rate,
 * speaker count, language and frontend from there, and ends the whole process when a key it needs
 * is missing, so the daemon checks them before handing a model to it.
 *
 * Reading walks only the top-level fields of the file (a tag and a length each) and skips the
 * graph without reading it, so a 60 MB voice costs a few small reads. Writing keeps every other
 * field byte for byte and appends the new entries encoded with protobufjs: repeated fields of a
 * protobuf message may appear anywhere and in several runs, so appending is a valid encoding.
 */
import { createRequire } from 'node:module';
import { open, readFile, writeFile } from 'node:fs/promises';
import { SatelliteError } from '../../util/errors.js';

type Protobuf = typeof import('protobufjs');
const protobuf = createRequire(import.meta.url)('protobufjs') as Protobuf;

/** The ModelProto field that holds metadata entries. */
const METADATA_FIELD = 14;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
/** Bytes read per step while walking the top level (a tag and a length fit easily). */
const HEADER_READ_BYTES = 20;
/** A single metadata entry larger than this is not metadata we care about. */
const MAX_ENTRY_BYTES = 1024 * 1024;

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        ModelMetadata: {
          fields: { metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: METADATA_FIELD } },
        },
      },
    },
  },
});
const EntryType = root.lookupType('onnx.StringStringEntryProto');
const MetadataType = root.lookupType('onnx.ModelMetadata');

interface TopField {
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
    if (byte === undefined) throw new SatelliteError('SAT_ERR_BAD_MODEL', 'truncated varint in ONNX file');
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw new SatelliteError('SAT_ERR_BAD_MODEL', 'malformed varint in ONNX file');
}

/** Parses one top-level field header from `head` (bytes starting at file offset `offset`). */
function fieldAt(head: Uint8Array, offset: number, fileSize: number): TopField {
  const tag = readVarint(head, 0);
  const field = Math.floor(tag.value / 8);
  const wire = tag.value % 8;
  let valueStart = offset + tag.next;
  let end: number;
  if (wire === WIRE_VARINT) {
    const v = readVarint(head, tag.next);
    end = offset + v.next;
  } else if (wire === WIRE_LENGTH) {
    const len = readVarint(head, tag.next);
    valueStart = offset + len.next;
    end = valueStart + len.value;
  } else if (wire === WIRE_FIXED64) {
    end = valueStart + 8;
  } else if (wire === WIRE_FIXED32) {
    end = valueStart + 4;
  } else {
    throw new SatelliteError('SAT_ERR_BAD_MODEL', `unexpected wire type ${wire} at offset ${offset}: not an ONNX model`);
  }
  if (field === 0 || end > fileSize) throw new SatelliteError('SAT_ERR_BAD_MODEL', `malformed ONNX file near offset ${offset}`);
  return { field, wire, start: offset, valueStart, end };
}

function decodeEntry(bytes: Uint8Array): { key: string; value: string } {
  const entry = EntryType.toObject(EntryType.decode(bytes), { defaults: true }) as { key: string; value: string };
  return { key: entry.key, value: entry.value };
}

/** Reads `metadata_props` of an ONNX file without loading its graph. */
export async function readOnnxMetadata(file: string): Promise<Record<string, string>> {
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `cannot open ${file}`, { cause: err });
  });
  try {
    const { size } = await handle.stat();
    const out: Record<string, string> = {};
    const head = Buffer.alloc(HEADER_READ_BYTES);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(head, 0, HEADER_READ_BYTES, at);
      const f = fieldAt(head.subarray(0, bytesRead), at, size);
      if (f.field === METADATA_FIELD && f.wire === WIRE_LENGTH && f.end - f.valueStart <= MAX_ENTRY_BYTES) {
        const body = Buffer.alloc(f.end - f.valueStart);
        await handle.read(body, 0, body.length, f.valueStart);
        const { key, value } = decodeEntry(body);
        out[key] = value;
      }
      at = f.end;
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** Top-level fields of an in-memory ONNX model. */
function topFields(bytes: Buffer): TopField[] {
  const fields: TopField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const f = fieldAt(bytes.subarray(at, at + HEADER_READ_BYTES), at, bytes.length);
    fields.push(f);
    at = f.end;
  }
  return fields;
}

/**
 * Returns a copy of `model` whose metadata holds `entries`: existing entries with the same keys
 * are dropped, every other byte is kept, and the new entries are appended.
 */
export function withOnnxMetadata(model: Buffer, entries: Record<string, string | number>): Buffer {
  const keys = new Set(Object.keys(entries));
  const kept: Buffer[] = [];
  for (const f of topFields(model)) {
    if (f.field === METADATA_FIELD && f.wire === WIRE_LENGTH) {
      const { key } = decodeEntry(model.subarray(f.valueStart, f.end));
      if (keys.has(key)) continue;
    }
    kept.push(model.subarray(f.start, f.end));
  }
  const message = MetadataType.create({
    metadata_props: Object.entries(entries).map(([key, value]) => EntryType.create({ key, value: String(value) })),
  });
  kept.push(Buffer.from(MetadataType.encode(message).finish()));
  return Buffer.concat(kept);
}

/** Rewrites `source` into `target` with the given metadata entries. */
export async function writeOnnxMetadata(source: string, target: string, entries: Record<string, string | number>): Promise<void> {
  const bytes = await readFile(source);
  await writeFile(target, withOnnxMetadata(bytes, entries));
}
