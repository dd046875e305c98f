/** Microphone and speaker (owned by the satellite). */
import { z } from 'zod';

export const audioSection = z.object({
  backend: z.enum(['auto', 'naudiodon', 'alsa']).default('auto').describe('auto: naudiodon when it loads, else arecord/aplay'),
});
