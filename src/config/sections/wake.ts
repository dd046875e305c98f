/** Wake-word detection: engines for the provider's `wake` service and the satellite (owned by wake). */
import { z } from 'zod';
import { positiveInt, runtimeOverrides, seconds } from './common.js';

const threshold = z.number().min(0).max(1);

const wordTuning = z
  .object({
    threshold: threshold.optional().describe('score a hop must reach; unset = wake.threshold'),
    trigger_level: positiveInt.optional().describe('consecutive hops needed; unset = wake.trigger_level'),
    refractory_s: seconds.optional().describe('quiet time after a detection; unset = wake.refractory_s'),
  })
  .strict();

const openWakeWordEntry = z
  .object({
    path: z.string().min(1).describe('an openWakeWord folder (melspectrogram.onnx, embedding_model.onnx and heads) or one head .onnx; relative = under models_dir'),
    backbone_dir: z
      .string()
      .nullable()
      .default(null)
      .describe('folder with melspectrogram.onnx and embedding_model.onnx when `path` is a head stored elsewhere'),
    name: z.string().min(1).nullable().default(null).describe('model name for a single head; null = the file name without its version suffix'),
    phrase: z.string().min(1).nullable().default(null).describe('what a person says, for a single head; null = from the name'),
    languages: z.array(z.string()).default(['en']).describe('languages of the wake words'),
  })
  .strict();

const kwsSection = z
  .object({
    paths: z
      .array(z.string().min(1))
      .default([])
      .describe('extra keyword-spotter folders (streaming transducer + tokens.txt); relative = under models_dir'),
    keywords: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'phrases added to every keyword spotter: plain text ("hey computer", tokenised with the model\'s bpe.model) or tokens ("▁HE Y ▁COMP U TER"), each optionally followed by :boost #threshold @NAME',
      ),
    keywords_file: z
      .string()
      .nullable()
      .default(null)
      .describe("a keywords file used instead of each spotter folder's keywords.txt; null = the folder's own"),
    keywords_score: z.number().positive().default(1.0).describe('default boost of every phrase (a line\'s :x overrides)'),
    keywords_threshold: threshold.default(0.25).describe('default detection threshold of every phrase (a line\'s #y overrides); higher = fewer false alarms'),
    num_trailing_blanks: positiveInt.default(1).describe('blank frames needed after a phrase before it is reported'),
    max_active_paths: positiveInt.default(4).describe('beam size of the keyword search'),
    languages: z.array(z.string()).nullable().default(null).describe('languages of the phrases; null = guessed from the tokens'),
  })
  .strict();

/** Overrides of the top-level `engine` defaults for wake models (null = inherit). */
// One thread is cheapest for 80 ms hops, so wake models default to it rather than engine.num_threads.
const wakeRuntime = runtimeOverrides.extend({
  num_threads: runtimeOverrides.shape.num_threads.unwrap().unwrap().default(1).describe('inference threads per wake engine; one is cheapest for 80 ms hops'),
});

export const wakeSection = z
  .object({
    enabled: z.boolean().default(true).describe('offer wake word detection on the provider endpoint (the satellite uses the engines either way)'),
    default_model: z.string().nullable().default(null).describe('wake model used when `detect` names none; null = the first installed'),
    threshold: threshold.default(0.5).describe('openWakeWord score an 80 ms hop must reach to count'),
    trigger_level: positiveInt.default(1).describe('consecutive hops at or above the threshold needed to fire'),
    refractory_s: seconds.default(2).describe('seconds after a detection during which the same word cannot fire again'),
    words: z.record(z.string(), wordTuning).default({}).describe('per-word overrides by model name, e.g. {hey_jarvis: {threshold: 0.6}}'),
    discover: z.boolean().default(true).describe('find openWakeWord and keyword-spotter folders under models_dir'),
    openwakeword: z.array(openWakeWordEntry).default([]).describe('openWakeWord models named explicitly'),
    kws: kwsSection.prefault({}).describe('sherpa-onnx keyword spotting (open-vocabulary wake phrases)'),
    runtime: wakeRuntime.prefault({}).describe('overrides of the engine defaults for wake models'),
  })
  .strict();

export type WakeConfig = z.output<typeof wakeSection>;
