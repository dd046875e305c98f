/** Speech-to-text (owned by the STT provider). */
import { z } from 'zod';

export const sttSection = z.object({
  enabled: z.boolean().default(true),
  default_model: z.string().nullable().default(null).describe('model name used when a request names none; null = the first installed'),
  max_utterance_s: z.number().positive().default(30).describe('longest audio accepted in one request'),
});
