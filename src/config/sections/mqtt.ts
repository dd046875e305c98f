/** MQTT status, control and Home Assistant discovery (owned by the MQTT bridge). */
import { z } from 'zod';

export const mqttSection = z.object({
  url: z.string().nullable().default(null).describe('broker URL (mqtt://, mqtts://, ws://); null = MQTT off'),
  username: z.string().nullable().default(null),
  password: z.string().nullable().default(null).describe('prefer SATELLITE_MQTT__PASSWORD or password_file'),
  password_file: z.string().nullable().default(null),
  base_topic: z.string().nullable().default(null).describe('default speech-satellite/<name>'),
  discovery_prefix: z.string().default('homeassistant'),
});
