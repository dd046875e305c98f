/** Voice activity detection (owned by the STT provider). */
import { z } from 'zod';
import { runtimeOverrides } from './common.js';

export const vadSection = z.strictObject({
  model: z.string().nullable().default(null).describe('Silero VAD model name or .onnx path; null = the first installed'),
  threshold: z.number().min(0).max(1).default(0.5).describe('speech probability at which speech starts'),
  min_silence_s: z.number().positive().default(0.7).describe('silence that ends an utterance'),
  min_speech_s: z.number().min(0).default(0.25).describe('speech shorter than this is ignored'),
  runtime: runtimeOverrides.prefault({}).describe('overrides of the engine defaults for the VAD model'),
});
