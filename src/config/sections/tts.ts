/** Text-to-speech (owned by the TTS provider). */
import { z } from 'zod';
import { positiveInt, runtimeOverrides } from './common.js';

/** Per-kind overrides of the top-level `engine` defaults; null keeps the default. */

const piperVoice = z.strictObject({
  name: z.string().min(1).nullable().default(null).describe('voice name in Home Assistant; null = the model file name'),
  model: z.string().min(1).describe('Piper model .onnx carrying sherpa-onnx metadata (see `satellite models import-piper`)'),
  tokens: z.string().nullable().default(null).describe('tokens.txt; null = the one beside the model'),
  data_dir: z.string().nullable().default(null).describe('espeak-ng-data folder; null = the one beside the model'),
});

const kokoroModel = z.strictObject({
  name: z.string().min(1).nullable().default(null).describe('name of the model (voices are named by speaker); null = the folder name'),
  model: z.string().min(1).describe('Kokoro model .onnx'),
  voices: z.string().nullable().default(null).describe('voices.bin; null = the one beside the model'),
  tokens: z.string().nullable().default(null).describe('tokens.txt; null = the one beside the model'),
  data_dir: z.string().nullable().default(null).describe('espeak-ng-data folder; null = the one beside the model'),
  lexicon: z.string().nullable().default(null).describe('comma-separated lexicon files (multi-language Kokoro); null = lexicon-*.txt beside the model'),
  dict_dir: z.string().nullable().default(null).describe('dict folder (multi-language Kokoro); null = dict/ beside the model'),
});

export const ttsSection = z.strictObject({
  enabled: z.boolean().default(true).describe('offer text-to-speech on the provider endpoint'),
  default_voice: z.string().nullable().default(null).describe('voice used when a request names none; null = the first installed'),
  max_text_chars: z.number().int().positive().default(5000).describe('longest text accepted in one request (streamed text counts in total)'),
  speed: z.number().min(0.25).max(4).default(1).describe('speaking rate; 1 = normal, above 1 faster'),
  samples_per_chunk: z.number().int().min(64).max(16384).default(1024).describe('samples per Wyoming audio-chunk'),
  discover: z.boolean().default(true).describe('find Piper voice folders and Kokoro folders under models_dir'),
  cache: z
    .strictObject({
      max_entries: z.number().int().min(0).default(128).describe('synthesised sentences kept for repeats; 0 disables the cache'),
      max_mb: z.number().min(0).default(32).describe('memory the cache may use, in MiB'),
    })
    .prefault({})
    .describe('in-memory cache of recent (voice, text) audio'),
  espeak: z
    .strictObject({
      enabled: z.boolean().default(true).describe('offer eSpeak NG voices (the fallback that needs no download)'),
      program: z.string().min(1).default('espeak-ng').describe('espeak-ng executable'),
      voices: z.array(z.string()).nullable().default(null).describe('espeak-ng voice ids to offer, e.g. [en-us, de]; null = chosen by `offer`'),
      preferred: z
        .string()
        .default('en-us')
        .describe('your language\'s espeak-ng voice: always offered and listed first (the default voice when no other is installed)'),
      offer: z
        .enum(['preferred', 'language', 'all'])
        .default('preferred')
        .describe(
          'voices offered when `voices` is null: preferred = that voice only (Home Assistant then defaults to its language), language = every variant of its language (en-gb, en-029, …), all = every installed voice (HA picks its default language at random among them)',
        ),
      library: z
        .union([z.string().min(1), z.literal(false)])
        .nullable()
        .default(null)
        .describe(
          'libespeak-ng to speak with, in a worker thread that stays up between requests (path or soname); null = the system\'s libespeak-ng.so.1; false = run the espeak-ng program once per request (also the fallback when the library does not load)',
        ),
      max_concurrent: positiveInt.default(2).describe('espeak-ng processes running at once when the program runs per request (the library speaks one request at a time)'),
    })
    .prefault({}),
  piper: z.array(piperVoice).default([]).describe('Piper voices outside models_dir, named file by file'),
  kokoro: z.array(kokoroModel).default([]).describe('Kokoro models outside models_dir, named file by file'),
  runtime: runtimeOverrides.prefault({}).describe('overrides of the engine defaults for TTS models'),
});
