/** Speech-to-text (owned by the STT provider). */
import { z } from 'zod';
import { runtimeOverrides } from './common.js';


const families = ['streaming-transducer', 'transducer', 'nemo-transducer', 'whisper', 'moonshine', 'sense-voice', 'paraformer', 'vosk'] as const;

export const sttModelEntry = runtimeOverrides.extend({
  name: z.string().min(1).describe('name shown in info and used by transcribe {name}'),
  path: z.string().min(1).describe('model folder (relative paths are under models_dir)'),
  family: z.enum(families).nullable().default(null).describe('model family; null = detect from the files'),
  files: z
    .partialRecord(z.enum(['encoder', 'decoder', 'joiner', 'tokens', 'model', 'preprocessor', 'uncachedDecoder', 'cachedDecoder', 'mergedDecoder']), z.string())
    .default({})
    .describe('explicit file paths by role (relative to path); detected when empty'),
  languages: z.array(z.string()).nullable().default(null).describe('languages the model speaks; null = detect or guess from the name'),
  language: z.string().nullable().default(null).describe('Whisper/SenseVoice: language to force; null = the request language or auto-detect'),
  task: z.enum(['transcribe', 'translate']).default('transcribe').describe('Whisper task'),
  grammar: z.array(z.string()).nullable().default(null).describe('Vosk: phrases to restrict recognition to (command mode)'),
});
export type SttModelEntry = z.output<typeof sttModelEntry>;

export const sttSection = z.strictObject({
  enabled: z.boolean().default(true).describe('offer speech-to-text on the provider endpoint'),
  default_model: z.string().nullable().default(null).describe('model name used when a request names none; null = the first installed'),
  max_utterance_s: z.number().positive().default(30).describe('longest audio accepted in one request'),
  discover: z.boolean().default(true).describe('find models in folders under models_dir'),
  models: z.array(sttModelEntry).default([]).describe('models named explicitly (tried before discovered ones)'),
  runtime: runtimeOverrides.prefault({}).describe('overrides of the engine defaults for speech-to-text models'),
  workers: z
    .number()
    .int()
    .min(1)
    .max(16)
    .nullable()
    .default(null)
    .describe('copies of a model (one worker thread each) that decode different sessions in parallel; a copy loads only when the others are busy; null = CPU cores / num_threads, at least 1'),
  streaming_events: z.boolean().default(true).describe('send transcript-start/-chunk/-stop as partial results arrive (streaming models)'),
  endpoint_on_silence: z
    .boolean()
    .default(false)
    .describe('send the transcript as soon as VAD hears the end of speech, before audio-stop'),
  trim_silence: z.boolean().default(true).describe('cut leading/trailing silence by VAD before offline decoding'),
  vosk_library: z.string().nullable().default(null).describe('path to libvosk; null = the vosk npm package, then the system library path'),
});
