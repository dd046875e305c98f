/** MQTT status, control and Home Assistant discovery (owned by the MQTT bridge). */
import { z } from 'zod';

const tlsSection = z.strictObject({
  ca_file: z.string().nullable().default(null).describe('PEM file of the CA that signed the broker certificate; null = system CAs'),
  cert_file: z.string().nullable().default(null).describe('PEM client certificate for brokers that require one'),
  key_file: z.string().nullable().default(null).describe('PEM private key of the client certificate'),
  reject_unauthorized: z.boolean().default(true).describe('refuse brokers whose certificate does not verify (turn off only for testing)'),
});

const reconnectSection = z.strictObject({
  min_s: z.number().min(0.1).default(1).describe('first reconnect delay after the broker is lost'),
  max_s: z.number().min(0.1).default(60).describe('reconnect delay ceiling; the delay doubles up to this'),
});

export const mqttSection = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://')
    .nullable()
    .default(null)
    .describe('broker URL (mqtt://, mqtts://, ws://, wss://); null = MQTT off'),
  username: z.string().nullable().default(null).describe('broker user name'),
  password: z.string().nullable().default(null).describe('broker password; prefer SATELLITE_MQTT__PASSWORD or password_file (never logged)'),
  password_file: z.string().nullable().default(null).describe('file whose first line is the broker password'),
  client_id: z.string().nullable().default(null).describe('MQTT client id; null = speech-satellite-<device id>'),
  base_topic: z.string().nullable().default(null).describe('topic prefix of this device; null = speech-satellite/<name>'),
  discovery: z.boolean().default(true).describe('publish Home Assistant MQTT discovery'),
  discovery_prefix: z.string().default('homeassistant').describe('Home Assistant discovery prefix (its birth topic is <prefix>/status)'),
  supervised: z
    .boolean()
    .nullable()
    .default(null)
    .describe('a service manager starts the daemon again after it exits, so the MQTT restart button is offered; null = yes when run by systemd (INVOCATION_ID is set)'),
  keepalive_s: z.number().int().min(5).max(3600).default(60).describe('MQTT keep-alive interval'),
  stats_interval_s: z.number().min(1).default(60).describe('how often the diagnostic stats in the state topic are refreshed'),
  tls: tlsSection.prefault({}),
  reconnect: reconnectSection.prefault({}),
});
