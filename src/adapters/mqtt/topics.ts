/** The MQTT topic layout of one device, and the identity it is published under. */
import { slugify } from '../mdns/mdns-identity.js';

export interface MqttIdentity {
  /** Stable id for Home Assistant identifiers, unique_id and the discovery node id. */
  deviceId: string;
  /** Device name shown in Home Assistant. */
  name: string;
  /** Lowercase underscore form of the name, for default entity ids. */
  objectBase: string;
}

/** `speech_satellite_<machine>` plus the configured name, so two named daemons on one host differ. */
export function mqttIdentity(configuredName: string | null, shortId: string): MqttIdentity {
  const nameSlug = configuredName ? slugify(configuredName, '_') : '';
  const deviceId = nameSlug ? `speech_satellite_${shortId}_${nameSlug}` : `speech_satellite_${shortId}`;
  const name = configuredName?.trim() || `Speech satellite ${shortId}`;
  return { deviceId, name, objectBase: slugify(name, '_') || deviceId };
}

/**
 * The device that provider activity (transcripts and wake words served on the provider endpoint,
 * for any satellite) belongs to when this daemon is also a satellite, so that it never shows up
 * on the satellite's own device.
 */
export function providerIdentity(main: MqttIdentity): MqttIdentity {
  return { deviceId: `${main.deviceId}_provider`, name: `${main.name} provider`, objectBase: `${main.objectBase}_provider` };
}

export function defaultBaseTopic(configuredName: string | null, shortId: string): string {
  return `speech-satellite/${(configuredName && slugify(configuredName)) || shortId}`;
}

/** Entity command topics (relative to the base) and the commands they carry. */
export const COMMAND_TOPICS = {
  'mute/set': 'mute',
  'volume/set': 'volume',
  'wake_word/set': 'wake_word',
  speak: 'speak',
  restart: 'restart',
  rescan: 'rescan',
} as const;
export type CommandName = (typeof COMMAND_TOPICS)[keyof typeof COMMAND_TOPICS];
/** The generic JSON command topic: {"command": …, "value"/"text": …, "transaction": …}. */
export const JSON_COMMAND_TOPIC = 'command';

export class MqttTopics {
  constructor(
    readonly base: string,
    readonly discoveryPrefix: string,
  ) {
    if (/[+#]/.test(base) || base.endsWith('/')) throw new Error(`invalid MQTT base topic "${base}"`);
  }

  get availability(): string {
    return `${this.base}/availability`;
  }
  get state(): string {
    return `${this.base}/state`;
  }
  /** Wake words of the satellite itself. */
  get wake(): string {
    return `${this.base}/wake`;
  }
  /** Wake words the provider endpoint detected (for whichever satellite asked). */
  get providerWake(): string {
    return `${this.base}/provider/wake`;
  }
  get response(): string {
    return `${this.base}/response`;
  }
  get haStatus(): string {
    return `${this.discoveryPrefix}/status`;
  }

  command(relative: string): string {
    return `${this.base}/${relative}`;
  }

  /** Every command topic this device listens on. */
  get commandTopics(): string[] {
    return [...Object.keys(COMMAND_TOPICS), JSON_COMMAND_TOPIC].map((t) => this.command(t));
  }

  /** The relative command topic of an incoming message, or null when it is not one of ours. */
  relativeCommand(topic: string): string | null {
    if (!topic.startsWith(`${this.base}/`)) return null;
    const rest = topic.slice(this.base.length + 1);
    return rest in COMMAND_TOPICS || rest === JSON_COMMAND_TOPIC ? rest : null;
  }

  /** Per-component discovery topic with the device id as node id (HA's `<node_id>` level). */
  discovery(component: string, deviceId: string, key: string): string {
    return `${this.discoveryPrefix}/${component}/${deviceId}/${key}/config`;
  }

  /** Matches every discovery topic of this device, to find stale retained ones. */
  discoveryWildcard(deviceId: string): string {
    return `${this.discoveryPrefix}/+/${deviceId}/+/config`;
  }
}
