/**
 * Writing an ONNX model's `metadata_props` (ModelProto field 14, repeated
 * StringStringEntryProto {key = 1, value = 2}), for turning wyoming-piper voices into voices
 * sherpa-onnx loads. Every other field is kept byte for byte and the new entries are appended,
 * encoded with protobufjs: repeated fields of a protobuf message may appear anywhere and in
 * several runs, so appending is a valid encoding. Reading lives in ../onnx-file.ts.
 */
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { ONNX_METADATA_FIELD, decodeMetadataEntry, onnxFields } from '../runtime/onnx-file.js';

type Protobuf = typeof import('protobufjs');
const protobuf = createRequire(import.meta.url)('protobufjs') as Protobuf;

const WIRE_LENGTH = 2;

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        ModelMetadata: {
          fields: { metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: ONNX_METADATA_FIELD } },
        },
      },
    },
  },
});
const EntryType = root.lookupType('onnx.StringStringEntryProto');
const MetadataType = root.lookupType('onnx.ModelMetadata');

/**
 * Returns a copy of `model` whose metadata holds `entries`: existing entries with the same keys
 * are dropped, every other byte is kept, and the new entries are appended.
 */
export function withOnnxMetadata(model: Buffer, entries: Record<string, string | number>): Buffer {
  const keys = new Set(Object.keys(entries));
  const kept: Buffer[] = [];
  for (const f of onnxFields(model)) {
    if (f.field === ONNX_METADATA_FIELD && f.wire === WIRE_LENGTH) {
      const { key } = decodeMetadataEntry(model.subarray(f.valueStart, f.end));
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
