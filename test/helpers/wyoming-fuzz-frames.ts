/**
 * What one fuzz connection sends to a Wyoming provider: valid flows cut short, valid frames
 * mutated, lying lengths, bad JSON, wrong field types, odd audio formats and random bytes, often
 * after a valid prefix (so frames before a bad one must still be handled). Every script is a pure
 * function of the Random it is given, so a seed replays it.
 */
import { encodeFrame, type Frame } from '../../src/wyoming/frame.js';
import { SAMPLES, goldenBytes } from '../wyoming/samples.js';
import type { Random } from './seeded-random.js';

export interface FuzzScript {
  kind: string;
  bytes: Buffer;
  /** Frames (or frame-like units) in `bytes`. */
  frames: number;
}

/** Largest payload a script sends (the provider's default payload cap). */
export const MAX_FUZZ_PAYLOAD = 4 * 1024 * 1024;
/** Share of odd-audio scripts that send one large payload (bounded so a run stays fast). */
const LARGE_PAYLOAD_CHANCE = 0.03;
const HA_AUDIO = { rate: 16_000, width: 2, channels: 1 };
const CHUNK_BYTES = 3200;

const frame = (type: string, data: Record<string, unknown> = {}, payload?: Buffer): Buffer => encodeFrame({ type, data, payload } as Frame);

/** A header line as given (any JSON or none), then the raw data block and payload. */
function raw(header: unknown, data: Buffer | string = '', payload: Buffer = Buffer.alloc(0)): Buffer {
  const line = typeof header === 'string' ? header : JSON.stringify(header);
  return Buffer.concat([Buffer.from(`${line}\n`), Buffer.from(data), payload]);
}

function audio(r: Random, count: number, format: Record<string, unknown> = HA_AUDIO): Buffer[] {
  return Array.from({ length: count }, () => frame('audio-chunk', { ...format, timestamp: null }, r.bytes(CHUNK_BYTES)));
}

/** A valid request start for each provider service (what a fuzz script may put in front of garbage). */
function validPrefix(r: Random): Buffer[] {
  switch (r.int(5)) {
    case 0:
      return [frame('transcribe', { language: 'en' }), frame('audio-start', { ...HA_AUDIO, timestamp: null }), ...audio(r, r.int(4))];
    case 1:
      return [frame('detect', { names: r.chance(0.5) ? null : ['hey_jarvis'] }), frame('audio-start', { ...HA_AUDIO, timestamp: 0 }), ...audio(r, r.int(4))];
    case 2:
      return [frame('synthesize-start', {}), frame('synthesize-chunk', { text: 'Hello there. ' })];
    case 3:
      return [frame('describe'), frame('ping', { text: 'x' })];
    default:
      return [];
  }
}

/** A valid flow left unfinished: the peer vanishes mid-request. */
function abandonedFlow(r: Random): Buffer[] {
  const flows = [
    () => [frame('transcribe', { language: r.pick(['en', 'en-US', null]) }), frame('audio-start', { ...HA_AUDIO, timestamp: null }), ...audio(r, r.between(1, 20))],
    () => [frame('transcribe', {}), frame('audio-start', { ...HA_AUDIO, timestamp: null }), ...audio(r, r.between(1, 10)), frame('audio-stop', {})],
    () => [frame('detect', { names: null }), frame('audio-start', { ...HA_AUDIO, timestamp: 0 }), ...audio(r, r.between(1, 20))],
    () => [frame('synthesize', { text: 'Turning on the kitchen lights now.' })],
    () => [frame('synthesize-start', {}), frame('synthesize-chunk', { text: 'One sentence. Another' })],
    // defect 1's shape: a session, an unsupported width, and an invalid event in one write
    () => [frame('transcribe', {}), frame('audio-start', { rate: 16_000, width: 3, channels: 1 }), raw({ type: 'ping', data: { text: 5 } })],
  ];
  return r.pick(flows)();
}

const TOKENS = ['{', '}', '"type"', ':', '"audio-chunk"', ',', '"data_length"', '"payload_length"', '\n', '-1', '1e12', '"data"', 'null', '[', ']', '0', '"\\u0000"'];

function mutated(r: Random): Buffer[] {
  const corpus = [...SAMPLES.map(goldenBytes), ...validPrefix(r), ...abandonedFlow(r)];
  let out = Buffer.from(r.pick(corpus));
  for (let e = r.between(1, 4); e > 0; e--) {
    const at = r.int(Math.max(1, out.length));
    switch (r.int(4)) {
      case 0:
        if (out.length > 0) out[at] = out[at]! ^ (1 << r.int(8));
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + r.int(8))]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(r.pick(TOKENS)), out.subarray(at)]);
        break;
      default:
        out = Buffer.concat([out, out.subarray(0, at)]);
    }
  }
  return [out];
}

function truncated(r: Random): Buffer[] {
  const whole = r.pick([...SAMPLES.map(goldenBytes), ...abandonedFlow(r)]);
  return [whole.subarray(0, r.int(whole.length))];
}

const LYING_LENGTHS: unknown[] = [-1, 0, 1, 1e12, 2 ** 53, 2 ** 31, '10', 1.5, null, [], MAX_FUZZ_PAYLOAD + 1, 64 * 1024 * 1024];

/** Declared lengths that are negative, huge, fractional or not numbers, with too little behind them. */
function lyingLengths(r: Random): Buffer[] {
  const header: Record<string, unknown> = { type: r.pick(['audio-chunk', 'transcribe', 'ping', 'synthesize']) };
  if (r.chance(0.7)) header['data_length'] = r.pick(LYING_LENGTHS);
  if (r.chance(0.7)) header['payload_length'] = r.pick(LYING_LENGTHS);
  return [raw(header, '{"rate": 16000, "width": 2, "channels": 1}'.slice(0, r.int(45)), r.bytes(r.int(64)))];
}

const BAD_HEADERS = ['[]', '"describe"', '5', 'null', '{"type": 5}', '{"type": ""}', '{}', '{"type": "describe"', '{type: describe}', '\u0000\u0001', '{"type": "describe", "data": 5}', '{"type": "describe", "data": []}'];

function badJson(r: Random): Buffer[] {
  if (r.chance(0.1)) return [Buffer.alloc(70 * 1024 + r.int(1024), 'a')]; // a header line past 64 KiB
  if (r.chance(0.3)) return [raw({ type: 'transcribe', data_length: 12 }, '{"language":')];
  return [raw(r.pick(BAD_HEADERS))];
}

const ODD_VALUES: unknown[] = [5, -1, 0, 'x', '', null, true, [], {}, [1, 2], 1e308, 'x'.repeat(5000)];
const FIELDS: Record<string, string[]> = {
  transcribe: ['name', 'language', 'context'],
  'audio-start': ['rate', 'width', 'channels', 'timestamp'],
  'audio-chunk': ['rate', 'width', 'channels', 'timestamp'],
  'audio-stop': ['timestamp'],
  synthesize: ['text', 'voice', 'text_format'],
  'synthesize-start': ['voice'],
  'synthesize-chunk': ['text'],
  detect: ['names'],
  ping: ['text'],
};

function wrongTypes(r: Random): Buffer[] {
  const type = r.pick(Object.keys(FIELDS));
  const data: Record<string, unknown> = { rate: 16_000, width: 2, channels: 1, text: 'hello', names: null };
  data[r.pick(FIELDS[type]!)] = r.pick(ODD_VALUES);
  const payload = type === 'audio-chunk' ? r.bytes(CHUNK_BYTES) : undefined;
  // inline `data` in the header line, or a separate data block: readers must handle both
  if (r.chance(0.5)) return [raw({ type, data, ...(payload ? { payload_length: payload.length } : {}) }, '', payload)];
  return [frame(type, data, payload)];
}

const RATES = [0, 1, 100, 7_999, 8_000, 44_100, 192_000, 192_001, 1e9, -16_000, 16_000.5];
const WIDTHS = [0, 1, 2, 3, 4, 8];
const CHANNELS = [0, 1, 2, 3, 255, 1e6];

/** Audio in formats a peer may declare; rarely one large payload declared at a tiny rate (defect 2's shape). */
function oddAudio(r: Random): Buffer[] {
  const format = { rate: r.pick(RATES), width: r.pick(WIDTHS), channels: r.pick(CHANNELS) };
  const head = [frame('transcribe', {}), frame('audio-start', { ...format, timestamp: null })];
  if (r.chance(LARGE_PAYLOAD_CHANCE)) {
    const size = r.between(256 * 1024, MAX_FUZZ_PAYLOAD);
    return [...head, frame('audio-chunk', { rate: 100, width: 1, channels: 1 }, Buffer.alloc(size, r.int(256))), frame('audio-stop', {})];
  }
  const chunks = Array.from({ length: r.between(1, 6) }, () => frame('audio-chunk', { ...format, timestamp: null }, r.bytes(r.int(CHUNK_BYTES))));
  return [...head, ...chunks, ...(r.chance(0.5) ? [frame('audio-stop', {})] : [])];
}

function randomBytes(r: Random): Buffer[] {
  const out = r.bytes(r.int(512));
  for (let i = 0; i < out.length; i++) if (r.chance(0.05)) out[i] = 0x0a;
  return [out];
}

/** Unknown event types must be ignored, never a reason to close. */
function unknownTypes(r: Random): Buffer[] {
  return Array.from({ length: r.between(1, 5) }, () => frame(`x-fuzz-${r.int(1000)}`, { value: r.int(10) }, r.chance(0.3) ? r.bytes(r.int(256)) : undefined));
}

const GENERATORS: Record<string, (r: Random) => Buffer[]> = {
  abandonedFlow,
  mutated,
  truncated,
  lyingLengths,
  badJson,
  wrongTypes,
  oddAudio,
  randomBytes,
  unknownTypes,
};

/** One connection's bytes: maybe a valid prefix, then one kind of trouble. */
export function fuzzScript(r: Random): FuzzScript {
  const kind = r.pick(Object.keys(GENERATORS));
  const prefix = r.chance(0.4) ? validPrefix(r) : [];
  const body = GENERATORS[kind]!(r);
  const parts = [...prefix, ...body];
  return { kind, bytes: Buffer.concat(parts), frames: parts.length };
}
