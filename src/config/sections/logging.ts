import { z } from 'zod';
import { logLevel } from './common.js';

export const logSection = z.strictObject({
  level: logLevel.default('info'),
  format: z.enum(['auto', 'pretty', 'json']).default('auto').describe('auto: human-readable on a terminal, JSON otherwise (journald)'),
});
