/** Voice activity detection (owned by the STT provider). */
import { z } from 'zod';

export const vadSection = z.object({
  model: z.string().nullable().default(null).describe('Silero VAD model name or .onnx path; null = the first installed'),
  threshold: z.number().min(0).max(1).default(0.5),
  min_silence_s: z.number().positive().default(0.7).describe('silence that ends an utterance'),
});
