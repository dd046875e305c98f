/**
 * Every Wyoming event type as one discriminated union keyed on `type`, with zod validation of
 * its data. Field lists follow the reference library (wyoming-protocol.md §2). Optional fields
 * accept `null`, since Python writers emit `null` for unset optionals.
 */
import { z } from 'zod';
import { WyomingErrorCode, WyomingProtocolError } from './errors.js';
import type { Frame } from './frame.js';
import { infoSchema } from './info-schema.js';

const int = z.number().int();
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const context = opt(z.record(z.string(), z.unknown()));
const empty = z.object({});
const withContext = z.object({ context });

const audioFormat = { rate: int.positive(), width: int.positive(), channels: int.positive() };

const voice = z.object({ name: opt(z.string()), language: opt(z.string()), speaker: opt(z.string()) });

const STAGES = ['wake', 'asr', 'intent', 'handle', 'tts'] as const;
export type PipelineStage = (typeof STAGES)[number];
/** Which end stages the reference `RunPipeline` accepts for each start stage. */
const VALID_END_STAGES: Record<PipelineStage, readonly PipelineStage[]> = {
  wake: STAGES,
  asr: ['asr', 'intent', 'handle', 'tts'],
  intent: ['intent', 'handle', 'tts'],
  handle: ['handle', 'tts'],
  tts: ['tts'],
};

const runPipeline = z
  .object({
    start_stage: z.enum(STAGES),
    end_stage: z.enum(STAGES),
    restart_on_end: opt(z.boolean()),
    wake_word_name: opt(z.string()),
    wake_word_names: opt(z.array(z.string())),
    announce_text: opt(z.string()),
  })
  .refine((d) => VALID_END_STAGES[d.start_stage].includes(d.end_stage), {
    message: 'end_stage cannot come before start_stage',
  });

export const EVENT_SCHEMAS = {
  // audio
  'audio-start': z.object({ ...audioFormat, timestamp: opt(int) }),
  'audio-chunk': z.object({ ...audioFormat, timestamp: opt(int) }),
  'audio-stop': z.object({ timestamp: opt(int) }),
  // info
  describe: empty,
  info: infoSchema,
  // asr
  transcribe: z.object({ name: opt(z.string()), language: opt(z.string()), context, vad_sensitivity: opt(z.string()) }),
  transcript: z.object({ text: z.string(), language: opt(z.string()), context }),
  'transcript-start': z.object({ language: opt(z.string()), context }),
  'transcript-chunk': z.object({ text: z.string() }),
  'transcript-stop': empty,
  // tts
  synthesize: z.object({ text: z.string(), voice: opt(voice), text_format: opt(z.string()), context }),
  'synthesize-start': z.object({ voice: opt(voice), text_format: opt(z.string()), context }),
  'synthesize-chunk': z.object({ text: z.string() }),
  'synthesize-stop': empty,
  'synthesize-stopped': empty,
  // wake
  detect: z.object({ names: opt(z.array(z.string())), context }),
  detection: z.object({ name: opt(z.string()), timestamp: opt(int), speaker: opt(z.string()), context }),
  'not-detected': withContext,
  // vad
  'voice-started': z.object({ timestamp: opt(int) }),
  'voice-stopped': z.object({ timestamp: opt(int) }),
  // intent / handle
  recognize: z.object({ text: z.string(), context }),
  intent: z.object({
    name: z.string(),
    entities: opt(z.array(z.object({ name: z.string(), value: z.unknown() }))),
    text: opt(z.string()),
    context,
  }),
  'not-recognized': z.object({ text: opt(z.string()), context }),
  'intents-start': withContext,
  'intents-stop': withContext,
  handled: z.object({ text: opt(z.string()), context }),
  'not-handled': z.object({ text: opt(z.string()), context }),
  'handled-start': withContext,
  'handled-chunk': z.object({ text: z.string() }),
  'handled-stop': empty,
  // snd
  played: empty,
  // satellite
  'run-satellite': empty,
  'pause-satellite': empty,
  'run-pipeline': runPipeline,
  'streaming-started': empty,
  'streaming-stopped': empty,
  'satellite-connected': empty,
  'satellite-disconnected': empty,
  // timers
  'timer-started': z.object({
    id: z.string(),
    total_seconds: int,
    name: opt(z.string()),
    start_hours: opt(int),
    start_minutes: opt(int),
    start_seconds: opt(int),
    command: opt(z.object({ text: z.string(), language: opt(z.string()) })),
  }),
  'timer-updated': z.object({ id: z.string(), is_active: z.boolean(), total_seconds: int }),
  'timer-cancelled': z.object({ id: z.string() }),
  'timer-finished': z.object({ id: z.string() }),
  // misc
  ping: z.object({ text: opt(z.string()) }),
  pong: z.object({ text: opt(z.string()) }),
  error: z.object({ text: z.string(), code: opt(z.string()) }),
  'user-event': z.object({ name: z.string(), data: opt(z.record(z.string(), z.unknown())), context }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** The data of an event as we write it (input shape: optional fields may be left out). */
export type EventData<T extends EventType> = z.input<(typeof EVENT_SCHEMAS)[T]>;

/** One member of the union per event type. Audio events carry their PCM as `payload`. */
export type WyomingEvent = {
  [T in EventType]: { type: T; data: z.output<(typeof EVENT_SCHEMAS)[T]>; payload?: Buffer | undefined };
}[EventType];

export type EventOf<T extends EventType> = Extract<WyomingEvent, { type: T }>;

export function isKnownType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

/**
 * Types a frame. Unknown types return `undefined` (callers ignore them; the frame is untouched).
 * Known types with invalid data throw WY_ERR_BAD_EVENT_DATA naming the bad fields.
 */
export function parseEvent(frame: Frame): WyomingEvent | undefined {
  if (!isKnownType(frame.type)) return undefined;
  if ((frame.type === 'audio-chunk' || frame.type === 'audio-start') && isAudioFormatData(frame.data)) {
    // Hot path (every audio chunk): the same checks as the zod schema, without its overhead.
    const { rate, width, channels, timestamp } = frame.data;
    return { type: frame.type, data: { rate, width, channels, timestamp }, payload: frame.payload } as WyomingEvent;
  }
  const result = EVENT_SCHEMAS[frame.type].safeParse(frame.data ?? {});
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
    throw new WyomingProtocolError(WyomingErrorCode.BAD_EVENT_DATA, `invalid "${frame.type}" event: ${where}`, {
      cause: result.error,
    });
  }
  return { type: frame.type, data: result.data, payload: frame.payload } as WyomingEvent;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isAudioFormatData(
  data: Record<string, unknown>,
): data is { rate: number; width: number; channels: number; timestamp?: number | null } {
  const ts = data['timestamp'];
  return (
    isPositiveInt(data['rate']) &&
    isPositiveInt(data['width']) &&
    isPositiveInt(data['channels']) &&
    (ts === undefined || ts === null || (typeof ts === 'number' && Number.isInteger(ts)))
  );
}

/**
 * Builds a frame for a typed event. Fields left `undefined` are omitted (the reference classes
 * leave out unset optionals); explicit `null`s are kept.
 */
export function eventFrame<T extends EventType>(type: T, data: EventData<T>, payload?: Buffer): Frame {
  return { type, data: data as Record<string, unknown>, payload };
}
