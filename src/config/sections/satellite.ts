/** The voice satellite endpoint (owned by the satellite). */
import { z } from 'zod';
import { host, port } from './common.js';

export const satelliteSection = z.object({
  enabled: z.boolean().default(false).describe('serve the satellite endpoint (needs a microphone)'),
  host: host.default('0.0.0.0'),
  port: port.default(10700),
});
