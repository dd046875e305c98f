/**
 * A Realtime session's settings: read from `session.update` in the GA shape (`session.audio.input…`)
 * or the beta flat shape (`input_audio_format`, `turn_detection`, `input_audio_transcription`,
 * `voice`), and described back in the GA shape for `session.created` / `session.updated`. Every
 * field is checked before anything changes, so a rejected update leaves the session as it was.
 */
import { MAX_RATE, MIN_RATE } from '../../../audio/pcm.js';
import { G711_RATE, type Codec } from './g711.js';
import { RealtimeError } from './realtime-events.js';

/** The spec's PCM rate: 16-bit little-endian mono at 24 kHz (G.711 is 8 kHz). */
export const REALTIME_RATE = 24_000;

export interface ServerVad {
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

export interface RealtimeSettings {
  type: 'realtime' | 'transcription';
  model: string;
  inputCodec: Codec;
  /** Rate of the input PCM (after G.711 decoding: 8 kHz). */
  inputRate: number;
  outputCodec: Codec;
  /** Null: turn detection off, the client commits. */
  vad: ServerVad | null;
  transcription: { model: string; language: string | null; prompt: string };
  voice: string | null;
  speed: number;
  instructions: string;
}

/** OpenAI's defaults, except the threshold, which is the daemon's configured one. */
export function defaultSettings(type: RealtimeSettings['type'], model: string, threshold: number): RealtimeSettings {
  return {
    type,
    model,
    inputCodec: 'pcm16',
    inputRate: REALTIME_RATE,
    outputCodec: 'pcm16',
    vad: { threshold, prefixPaddingMs: 300, silenceDurationMs: 500 },
    transcription: { model: 'whisper-1', language: null, prompt: '' },
    voice: null,
    speed: 1,
    instructions: '',
  };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(param: string, message: string): RealtimeError {
  return new RealtimeError(message, 'invalid_value', param);
}

function numberIn(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw bad(param, `${param} must be a number from ${min} to ${max}`);
  return value;
}

function text(value: unknown, param: string, max = 4096): string {
  if (typeof value !== 'string' || value.length > max) throw bad(param, `${param} must be a string of at most ${max} characters`);
  return value;
}

const G711: Record<string, Codec> = { 'audio/pcmu': 'pcmu', 'audio/pcma': 'pcma', g711_ulaw: 'pcmu', g711_alaw: 'pcma' };
const FORMAT_HELP = 'audio/pcm, audio/pcmu or audio/pcma (beta: pcm16, g711_ulaw, g711_alaw)';

/** `audio/pcm` (any rate the resampler takes; 24 kHz is the spec's), G.711 at 8 kHz, or their beta names. */
function inputFormat(format: unknown, param: string): { codec: Codec; rate: number } {
  if (format === 'pcm16') return { codec: 'pcm16', rate: REALTIME_RATE };
  const type = isObject(format) ? format['type'] : format;
  if (typeof type === 'string' && G711[type]) return { codec: G711[type], rate: G711_RATE };
  if (isObject(format) && type === 'audio/pcm') {
    return { codec: 'pcm16', rate: format['rate'] === undefined ? REALTIME_RATE : Math.round(numberIn(format['rate'], `${param}.rate`, MIN_RATE, MAX_RATE)) };
  }
  throw new RealtimeError(`unsupported audio format: use ${FORMAT_HELP}`, 'unsupported_audio_format', param);
}

function outputFormat(format: unknown, param: string): Codec {
  if (format === 'pcm16') return 'pcm16';
  const type = isObject(format) ? format['type'] : format;
  if (typeof type === 'string' && G711[type]) return G711[type];
  if (isObject(format) && type === 'audio/pcm' && (format['rate'] === undefined || format['rate'] === REALTIME_RATE)) return 'pcm16';
  throw new RealtimeError(`unsupported output format: use ${FORMAT_HELP}; PCM output is ${REALTIME_RATE} Hz`, 'unsupported_audio_format', param);
}

/** The rate audio of a codec is sent at. */
export function codecRate(codec: Codec): number {
  return codec === 'pcm16' ? REALTIME_RATE : G711_RATE;
}

function describeFormat(codec: Codec, rate: number): Record<string, unknown> {
  return codec === 'pcm16' ? { type: 'audio/pcm', rate } : { type: `audio/${codec}` };
}

function turnDetection(value: unknown, current: ServerVad | null, param: string): ServerVad | null {
  if (value === null) return null;
  if (!isObject(value)) throw bad(param, `${param} must be an object or null`);
  if (value['type'] !== undefined && value['type'] !== 'server_vad' && value['type'] !== 'semantic_vad') {
    throw bad(`${param}.type`, `${param}.type must be server_vad (semantic_vad is served as server_vad)`);
  }
  const base = current ?? { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 };
  return {
    threshold: value['threshold'] === undefined ? base.threshold : numberIn(value['threshold'], `${param}.threshold`, 0, 1),
    prefixPaddingMs: value['prefix_padding_ms'] === undefined ? base.prefixPaddingMs : numberIn(value['prefix_padding_ms'], `${param}.prefix_padding_ms`, 0, 5000),
    silenceDurationMs: value['silence_duration_ms'] === undefined ? base.silenceDurationMs : numberIn(value['silence_duration_ms'], `${param}.silence_duration_ms`, 50, 10_000),
  };
}

function transcription(value: unknown, current: RealtimeSettings['transcription'], param: string): RealtimeSettings['transcription'] {
  // Null switches OpenAI's transcription off; here the transcript is the point, so it stays on with the defaults.
  if (value === null || value === undefined) return current;
  if (!isObject(value)) throw bad(param, `${param} must be an object or null`);
  return {
    model: value['model'] === undefined ? current.model : text(value['model'], `${param}.model`, 200),
    language: value['language'] === undefined || value['language'] === null ? current.language : text(value['language'], `${param}.language`, 20),
    prompt: value['prompt'] === undefined ? current.prompt : text(value['prompt'], `${param}.prompt`),
  };
}

/** The settings after one `session.update` (GA or beta shape); throws a RealtimeError naming the bad field. */
export function applyUpdate(current: RealtimeSettings, session: unknown): RealtimeSettings {
  if (!isObject(session)) throw bad('session', 'session must be an object');
  const next: RealtimeSettings = { ...current, transcription: { ...current.transcription } };
  if (session['type'] !== undefined) {
    if (session['type'] !== 'realtime' && session['type'] !== 'transcription') throw bad('session.type', 'session.type must be realtime or transcription');
    next.type = session['type'];
  }
  if (session['instructions'] !== undefined) next.instructions = text(session['instructions'], 'session.instructions', 100_000);
  if (session['model'] !== undefined) next.model = text(session['model'], 'session.model', 200);
  const audio = session['audio'];
  if (audio !== undefined) {
    if (!isObject(audio)) throw bad('session.audio', 'session.audio must be an object');
    const input = audio['input'];
    if (input !== undefined) {
      if (!isObject(input)) throw bad('session.audio.input', 'session.audio.input must be an object');
      if (input['format'] !== undefined) ({ codec: next.inputCodec, rate: next.inputRate } = inputFormat(input['format'], 'session.audio.input.format'));
      if (input['turn_detection'] !== undefined) next.vad = turnDetection(input['turn_detection'], current.vad, 'session.audio.input.turn_detection');
      if (input['transcription'] !== undefined) next.transcription = transcription(input['transcription'], next.transcription, 'session.audio.input.transcription');
    }
    const output = audio['output'];
    if (output !== undefined) {
      if (!isObject(output)) throw bad('session.audio.output', 'session.audio.output must be an object');
      if (output['format'] !== undefined) next.outputCodec = outputFormat(output['format'], 'session.audio.output.format');
      if (output['voice'] !== undefined) next.voice = voiceName(output['voice'], 'session.audio.output.voice');
      if (output['speed'] !== undefined) next.speed = numberIn(output['speed'], 'session.audio.output.speed', 0.25, 4);
    }
  }
  // The beta flat shape.
  if (session['input_audio_format'] !== undefined) ({ codec: next.inputCodec, rate: next.inputRate } = inputFormat(session['input_audio_format'], 'session.input_audio_format'));
  if (session['output_audio_format'] !== undefined) next.outputCodec = outputFormat(session['output_audio_format'], 'session.output_audio_format');
  if (session['turn_detection'] !== undefined) next.vad = turnDetection(session['turn_detection'], current.vad, 'session.turn_detection');
  if (session['input_audio_transcription'] !== undefined) next.transcription = transcription(session['input_audio_transcription'], next.transcription, 'session.input_audio_transcription');
  if (session['voice'] !== undefined) next.voice = voiceName(session['voice'], 'session.voice');
  if (session['speed'] !== undefined) next.speed = numberIn(session['speed'], 'session.speed', 0.25, 4);
  return next;
}

function voiceName(value: unknown, param: string): string {
  if (isObject(value) && typeof value['id'] === 'string') return text(value['id'], param, 200);
  return text(value, param, 200);
}

/** The session as the GA events describe it. */
export function describeSession(id: string, s: RealtimeSettings, expiresAt: number): Record<string, unknown> {
  const input = {
    format: describeFormat(s.inputCodec, s.inputRate),
    transcription: { model: s.transcription.model, language: s.transcription.language, prompt: s.transcription.prompt },
    turn_detection: s.vad
      ? { type: 'server_vad', threshold: s.vad.threshold, prefix_padding_ms: s.vad.prefixPaddingMs, silence_duration_ms: s.vad.silenceDurationMs, create_response: false, interrupt_response: false }
      : null,
    noise_reduction: null,
  };
  const common = { id, expires_at: expiresAt, include: null };
  if (s.type === 'transcription') return { type: 'transcription', object: 'realtime.transcription_session', ...common, audio: { input } };
  return {
    type: 'realtime',
    object: 'realtime.session',
    ...common,
    model: s.model,
    output_modalities: ['audio'],
    instructions: s.instructions,
    tools: [],
    tool_choice: 'none',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'disabled',
    prompt: null,
    audio: { input, output: { format: describeFormat(s.outputCodec, REALTIME_RATE), voice: s.voice ?? 'alloy', speed: s.speed } },
  };
}
