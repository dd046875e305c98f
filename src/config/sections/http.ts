/** OpenAI-compatible HTTP shim (owned by the HTTP adapter). */
import { z } from 'zod';
import { host, port } from './common.js';

export const httpSection = z.object({
  enabled: z.boolean().default(false),
  host: host.default('127.0.0.1'),
  port: port.default(10800),
  api_key: z.string().nullable().default(null).describe('bearer token required when set; prefer SATELLITE_HTTP__API_KEY'),
});
