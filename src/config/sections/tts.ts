/** Text-to-speech (owned by the TTS provider). */
import { z } from 'zod';

export const ttsSection = z.object({
  enabled: z.boolean().default(true),
  default_voice: z.string().nullable().default(null).describe('voice used when a request names none; null = the first installed'),
  max_text_chars: z.number().int().positive().default(5000),
});
