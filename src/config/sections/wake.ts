/** Wake-word detection (owned by the wake provider). */
import { z } from 'zod';

export const wakeSection = z.object({
  enabled: z.boolean().default(true),
  default_model: z.string().nullable().default(null).describe('wake model used when `detect` names none'),
});
