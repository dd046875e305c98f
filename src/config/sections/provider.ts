/** The Wyoming provider endpoint (asr, tts, wake for Home Assistant's `wyoming` integration). */
import { z } from 'zod';
import { host, port, positiveInt, seconds } from './common.js';

export const frameLimits = z.strictObject({
  max_header_bytes: positiveInt.default(64 * 1024).describe('longest header line accepted'),
  max_data_bytes: positiveInt.default(1024 * 1024).describe('largest JSON data block accepted'),
  max_payload_bytes: positiveInt.default(4 * 1024 * 1024).describe('largest binary payload accepted'),
});

export const providerSection = z.strictObject({
  enabled: z.boolean().default(true).describe('serve the Wyoming provider endpoint (asr, tts, wake)'),
  host: host.default('0.0.0.0').describe('address to listen on'),
  port: port.default(10300).describe('TCP port (0 = any free port)'),
  max_connections: positiveInt
    .default(64)
    .describe('connections served at once; when full, the oldest idle or half-sent connection makes room, else the newcomer gets an error event'),
  max_connections_per_peer: positiveInt
    .default(32)
    .describe('connections one remote address may hold at once (a Home Assistant host needs one per running pipeline)'),
  frame_timeout_s: z.number().positive().default(10).describe('a frame whose first byte has arrived must be complete within this many seconds'),
  idle_timeout_s: seconds.default(300).describe('close a connection that sends nothing for this long; 0 = never'),
  limits: frameLimits.prefault({}),
});
