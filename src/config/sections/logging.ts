import { z } from 'zod';
import { logLevel } from './common.js';

export const logSection = z.strictObject({
  level: logLevel.default('info'),
  format: z
    .enum(['auto', 'pretty', 'json', 'journal'])
    .default('auto')
    .describe(
      'auto: human-readable on a terminal, one readable line per event with a <N> priority prefix when stdout is the journal (systemd), JSON lines otherwise (a pipe, a file, a log shipper); json: always JSON lines; journal: always the journal form',
    ),
});
