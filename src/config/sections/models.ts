/** Model catalogue and downloads (owned by the model manager). */
import { z } from 'zod';

export const modelsSection = z.object({
  auto_pull: z.boolean().default(true).describe('pull the default model set in the background when models are missing'),
});
