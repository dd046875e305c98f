/**
 * THE configuration schema: one zod object with every default inside. Each section lives in its
 * own file under `sections/`; the type of a loaded config is `Config`.
 */
import { z } from 'zod';
import { audioSection } from './sections/audio.js';
import { engineSection } from './sections/engine.js';
import { httpSection } from './sections/http.js';
import { logSection } from './sections/logging.js';
import { mdnsSection } from './sections/mdns.js';
import { modelsSection } from './sections/models.js';
import { mqttSection } from './sections/mqtt.js';
import { providerSection } from './sections/provider.js';
import { satelliteSection } from './sections/satellite.js';
import { sttSection } from './sections/stt.js';
import { ttsSection } from './sections/tts.js';
import { vadSection } from './sections/vad.js';
import { wakeSection } from './sections/wake.js';

export const configSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(48)
      .nullable()
      .default(null)
      .describe('name shown in Home Assistant (satellite, MQTT device) and used for mDNS; null = the host name, else speech-satellite-<machine id>'),
    area: z.string().nullable().default(null).describe('suggested area in Home Assistant'),
    models_dir: z.string().nullable().default(null).describe('one folder per model; null = <state_dir>/models'),
    state_dir: z
      .string()
      .nullable()
      .default(null)
      .describe('runtime state (mute, volume, model lock); null = $STATE_DIRECTORY or ~/.local/state/speech-satellite'),
    log: logSection.prefault({}),
    provider: providerSection.prefault({}),
    engine: engineSection.prefault({}),
    stt: sttSection.prefault({}),
    vad: vadSection.prefault({}),
    tts: ttsSection.prefault({}),
    wake: wakeSection.prefault({}),
    satellite: satelliteSection.prefault({}),
    audio: audioSection.prefault({}),
    mqtt: mqttSection.prefault({}),
    mdns: mdnsSection.prefault({}),
    http: httpSection.prefault({}),
    models: modelsSection.prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** JSON Schema of the config file (what a YAML file may contain), for editors and `config schema`. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'speech-satellite configuration' };
}
