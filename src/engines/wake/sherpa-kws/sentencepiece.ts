/**
 * A minimal sentencepiece *unigram* tokenizer, enough to turn a plain-text keyword into the pieces
 * a sherpa-onnx keyword spotter expects. It reads the pieces and scores from a `bpe.model`
 * (a protobuf `ModelProto`) and picks the segmentation with the highest total score (Viterbi),
 * which is what sentencepiece does for unigram models. Byte fallback and custom normalisation
 * rules are not supported: text is upper- or lower-cased to match the model's pieces instead.
 */
import { readFileSync } from 'node:fs';
import { SatelliteError } from '../../../util/errors.js';

/** sentencepiece's word-boundary marker (U+2581). */
export const WORD_BOUNDARY = '\u2581';

/** `SentencePiece.Type` values from sentencepiece_model.proto. */
const PIECE_NORMAL = 1;
const PIECE_UNKNOWN = 2;
const PIECE_USER_DEFINED = 4;
/** `TrainerSpec.ModelType` value for unigram models. */
const MODEL_UNIGRAM = 1;
/** Score given to a character no piece covers, so Viterbi still finds a path. */
const UNKNOWN_PENALTY = -1e6;
const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LENGTH = 2;
const WIRE_32BIT = 5;

export interface Piece {
  piece: string;
  score: number;
  type: number;
}

export interface UnigramModel {
  pieces: Piece[];
  modelType: number;
  addDummyPrefix: boolean;
}

/** Reads protobuf fields of one message: (field number, wire type, value). */
function* fields(buf: Uint8Array, start = 0, end = buf.length): Generator<{ field: number; wire: number; value: number | Uint8Array }> {
  let at = start;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'truncated sentencepiece model');
      const byte = buf[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (at < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === WIRE_VARINT) yield { field, wire, value: varint() };
    else if (wire === WIRE_LENGTH) {
      const length = varint();
      if (at + length > end) throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'truncated sentencepiece model');
      yield { field, wire, value: buf.subarray(at, at + length) };
      at += length;
    } else if (wire === WIRE_32BIT) {
      yield { field, wire, value: buf.subarray(at, at + 4) };
      at += 4;
    } else if (wire === WIRE_64BIT) {
      at += 8;
    } else {
      throw new SatelliteError('SAT_ERR_MODEL_INVALID', `unsupported protobuf wire type ${wire} in sentencepiece model`);
    }
  }
}

function parsePiece(bytes: Uint8Array): Piece {
  const out: Piece = { piece: '', score: 0, type: PIECE_NORMAL };
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.value instanceof Uint8Array) out.piece = Buffer.from(f.value).toString('utf8');
    else if (f.field === 2 && f.value instanceof Uint8Array) out.score = Buffer.from(f.value).readFloatLE(0);
    else if (f.field === 3 && typeof f.value === 'number') out.type = f.value;
  }
  return out;
}

/** Parses a sentencepiece `ModelProto` (the `bpe.model` file of icefall/sherpa-onnx models). */
export function parseSentencepieceModel(bytes: Uint8Array): UnigramModel {
  const model: UnigramModel = { pieces: [], modelType: MODEL_UNIGRAM, addDummyPrefix: true };
  for (const f of fields(bytes)) {
    if (!(f.value instanceof Uint8Array)) continue;
    if (f.field === 1) model.pieces.push(parsePiece(f.value));
    else if (f.field === 2) {
      for (const t of fields(f.value)) if (t.field === 3 && typeof t.value === 'number') model.modelType = t.value;
    } else if (f.field === 3) {
      for (const n of fields(f.value)) if (n.field === 3 && typeof n.value === 'number') model.addDummyPrefix = n.value !== 0;
    }
  }
  if (model.pieces.length === 0) throw new SatelliteError('SAT_ERR_MODEL_INVALID', 'sentencepiece model has no pieces');
  return model;
}

export class UnigramTokenizer {
  readonly #scores = new Map<string, number>();
  readonly #maxPieceLength: number;
  readonly #unknown: string;
  readonly #addDummyPrefix: boolean;
  /** Whether the pieces are upper case (icefall English models) so input is folded to match. */
  readonly #upper: boolean;

  constructor(model: UnigramModel) {
    if (model.modelType !== MODEL_UNIGRAM) {
      throw new SatelliteError('SAT_ERR_MODEL_UNSUPPORTED', `sentencepiece model type ${model.modelType} is not unigram; give keywords pre-tokenised`);
    }
    let longest = 1;
    let upper = 0;
    let lower = 0;
    for (const p of model.pieces) {
      if (p.type !== PIECE_NORMAL && p.type !== PIECE_USER_DEFINED) continue;
      this.#scores.set(p.piece, p.score);
      longest = Math.max(longest, [...p.piece].length);
      if (p.piece !== p.piece.toLowerCase()) upper++;
      if (p.piece !== p.piece.toUpperCase()) lower++;
    }
    this.#maxPieceLength = longest;
    this.#unknown = model.pieces.find((p) => p.type === PIECE_UNKNOWN)?.piece ?? '<unk>';
    this.#addDummyPrefix = model.addDummyPrefix;
    this.#upper = upper >= lower;
  }

  static fromFile(file: string): UnigramTokenizer {
    return new UnigramTokenizer(parseSentencepieceModel(readFileSync(file)));
  }

  get unknownPiece(): string {
    return this.#unknown;
  }

  /** Splits text into pieces; characters no piece covers come out as the unknown piece. */
  encode(text: string): string[] {
    const folded = this.#upper ? text.toUpperCase() : text.toLowerCase();
    const words = folded.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const joined = (this.#addDummyPrefix ? WORD_BOUNDARY : '') + words.join(WORD_BOUNDARY);
    return this.#viterbi([...joined]);
  }

  #viterbi(chars: string[]): string[] {
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const known = new Uint8Array(n + 1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (let length = 1; length <= Math.min(this.#maxPieceLength, end); length++) {
        const start = end - length;
        if (best[start] === -Infinity) continue;
        const score = this.#scores.get(chars.slice(start, end).join(''));
        const candidate = score === undefined ? (length === 1 ? best[start]! + UNKNOWN_PENALTY : -Infinity) : best[start]! + score;
        if (candidate > best[end]!) {
          best[end] = candidate;
          from[end] = start;
          known[end] = score === undefined ? 0 : 1;
        }
      }
    }
    const pieces: string[] = [];
    for (let end = n; end > 0; end = from[end]!) {
      pieces.push(known[end] ? chars.slice(from[end]!, end).join('') : this.#unknown);
    }
    return pieces.reverse();
  }
}
