/**
 * Home Assistant MQTT discovery payloads (per-component topics, node id = device id). Every entity
 * has unique_id, default_entity_id, availability, its device and the origin.
 *
 * Devices: the daemon's own (the satellite when one runs, else the speech provider) and, when a
 * satellite runs next to the provider endpoint, a second "<name> provider" device for provider
 * activity. The provider transcribes and detects wake words for any satellite that HA points at
 * it, so its transcripts and wake words never fire the satellite's entities.
 *
 * Nothing that HA's Wyoming integration makes for a satellite is repeated, and no default entity id
 * equals one of those: HA names its entities after the satellite's device, which usually has the
 * same name as ours (see test/adapters/mqtt/discovery.test.ts for the list). Our switch is the
 * local microphone mute (`mic_mute`), not HA's pipeline mute (`mute`).
 */
import type { SatelliteStateName } from '../../core/bus.js';
import { PRESS_PAYLOAD } from './commands.js';
import { providerIdentity, type MqttIdentity, type MqttTopics } from './topics.js';

export const ORIGIN_NAME = 'speech-satellite';
export const MANUFACTURER = 'speech-satellite';
export const STATE_OPTIONS: readonly SatelliteStateName[] = ['idle', 'listening', 'processing', 'speaking', 'paused', 'muted', 'disconnected'];
export const SATELLITE_MODEL = 'Wyoming voice satellite';
export const PROVIDER_MODEL = 'Wyoming speech provider';

/** Icons (all in the current Material Design Icons set; a test checks them against @mdi/svg). */
export const ICONS = {
  state: 'mdi:account-voice',
  volume: 'mdi:volume-high',
  speak: 'mdi:bullhorn-outline',
  wakeWord: 'mdi:microphone-message',
  transcript: 'mdi:text-recognition',
  wakeEvent: 'mdi:bell-ring-outline',
  requests: 'mdi:counter',
  errors: 'mdi:alert-circle-outline',
  models: 'mdi:brain',
  version: 'mdi:tag-outline',
} as const;

export interface DiscoveryInputs {
  identity: MqttIdentity;
  topics: MqttTopics;
  version: string;
  area: string | null;
  /** Wake words the satellite can switch between; null when no satellite runs. */
  satelliteWakeWords: readonly string[] | null;
  /** Wake words the provider endpoint can report; null when it is off. */
  providerWakeWords: readonly string[] | null;
  /** A service manager starts the daemon again after a restart, so the restart button is offered. */
  restart: boolean;
}

export interface DiscoveryMessage {
  topic: string;
  component: string;
  key: string;
  payload: Record<string, unknown>;
}

interface EntitySpec {
  component: string;
  key: string;
  name: string;
  fields: Record<string, unknown>;
}

interface DeviceEntities {
  identity: MqttIdentity;
  model: string;
  viaDevice?: string;
  specs: EntitySpec[];
}

const DIAGNOSTIC = 'diagnostic';

function diagnostics(): EntitySpec[] {
  const diag = (key: string, name: string, fields: Record<string, unknown>): EntitySpec => ({
    component: 'sensor',
    key,
    name,
    fields: { entity_category: DIAGNOSTIC, ...fields },
  });
  return [
    diag('requests', 'Provider requests', { value_template: '{{ value_json.stats.requests }}', state_class: 'total_increasing', icon: ICONS.requests }),
    diag('errors', 'Provider errors', { value_template: '{{ value_json.stats.errors }}', state_class: 'total_increasing', icon: ICONS.errors }),
    diag('loaded_models', 'Loaded models', {
      value_template: '{{ value_json.stats.loaded_models | count }}',
      json_attributes_template: "{{ {'loaded': value_json.stats.loaded_models, 'installed': value_json.stats.installed_models} | tojson }}",
      state_class: 'measurement',
      icon: ICONS.models,
    }),
    diag('event_loop_delay', 'Event loop delay p99', {
      value_template: '{{ value_json.stats.event_loop_delay_p99_ms }}',
      unit_of_measurement: 'ms',
      device_class: 'duration',
      state_class: 'measurement',
      suggested_display_precision: 1,
    }),
    diag('version', 'Version', { value_template: '{{ value_json.version }}', icon: ICONS.version }),
  ];
}

/** "Last transcript" and "Wake word detected" of one source; `path` is where its part of the state document is. */
function activity(path: string, wakeTopic: string, wakeWords: readonly string[]): EntitySpec[] {
  const specs: EntitySpec[] = [
    {
      component: 'sensor',
      key: 'last_transcript',
      name: 'Last transcript',
      // null (nothing heard yet) renders as "None", which HA's MQTT sensor shows as unknown.
      fields: { value_template: `{{ ${path}.last_transcript }}`, json_attributes_template: `{{ (${path}.transcript or {}) | tojson }}`, icon: ICONS.transcript },
    },
  ];
  if (wakeWords.length > 0) {
    specs.push({
      component: 'event',
      key: 'wake',
      name: 'Wake word detected',
      // Events arrive on their own topic, not the state document.
      fields: { state_topic: wakeTopic, event_types: [...wakeWords], icon: ICONS.wakeEvent },
    });
  }
  return specs;
}

function satelliteEntities(topics: MqttTopics, wakeWords: readonly string[]): EntitySpec[] {
  const specs: EntitySpec[] = [
    {
      component: 'sensor',
      key: 'state',
      name: 'State',
      fields: {
        device_class: 'enum',
        options: [...STATE_OPTIONS],
        value_template: '{{ value_json.state }}',
        json_attributes_template: "{{ {'detail': value_json.detail} | tojson }}",
        icon: ICONS.state,
      },
    },
    {
      component: 'switch',
      key: 'mic_mute',
      name: 'Microphone mute',
      // No fixed icon: HA's switch icon then follows the state (on/off).
      fields: {
        command_topic: topics.command('mute/set'),
        payload_on: 'ON',
        payload_off: 'OFF',
        state_on: 'ON',
        state_off: 'OFF',
        value_template: "{{ 'ON' if value_json.muted else 'OFF' }}",
        device_class: 'switch',
      },
    },
    {
      component: 'number',
      key: 'volume',
      name: 'Speaker volume',
      fields: {
        command_topic: topics.command('volume/set'),
        value_template: '{{ value_json.volume }}',
        min: 0,
        max: 100,
        step: 1,
        mode: 'slider',
        unit_of_measurement: '%',
        icon: ICONS.volume,
      },
    },
    { component: 'notify', key: 'speak', name: 'Speak', fields: { command_topic: topics.command('speak'), icon: ICONS.speak } },
    {
      component: 'binary_sensor',
      key: 'ha_connection',
      name: 'Home Assistant connection',
      fields: { device_class: 'connectivity', entity_category: DIAGNOSTIC, value_template: "{{ 'ON' if value_json.ha_connected else 'OFF' }}", payload_on: 'ON', payload_off: 'OFF' },
    },
  ];
  if (wakeWords.length > 0) {
    specs.push({
      component: 'select',
      key: 'wake_word',
      name: 'Wake word',
      fields: { command_topic: topics.command('wake_word/set'), options: [...wakeWords], value_template: '{{ value_json.wake_word }}', entity_category: 'config', icon: ICONS.wakeWord },
    });
  }
  specs.push(...activity('value_json', topics.wake, wakeWords));
  return specs;
}

function daemonEntities(inputs: DiscoveryInputs): EntitySpec[] {
  const specs: EntitySpec[] = [];
  if (inputs.restart) {
    specs.push({
      component: 'button',
      key: 'restart',
      name: 'Restart',
      fields: { command_topic: inputs.topics.command('restart'), payload_press: PRESS_PAYLOAD, device_class: 'restart', entity_category: 'config' },
    });
  }
  specs.push(...diagnostics());
  return specs;
}

/** Which device gets which entities (see the file comment). */
function devices(inputs: DiscoveryInputs): DeviceEntities[] {
  const { identity, topics, satelliteWakeWords, providerWakeWords } = inputs;
  const providerActivity = providerWakeWords ? activity('value_json.provider', topics.providerWake, providerWakeWords) : [];
  if (!satelliteWakeWords) return [{ identity, model: PROVIDER_MODEL, specs: [...providerActivity, ...daemonEntities(inputs)] }];
  const main: DeviceEntities = { identity, model: SATELLITE_MODEL, specs: [...satelliteEntities(topics, satelliteWakeWords), ...daemonEntities(inputs)] };
  if (providerActivity.length === 0) return [main];
  return [main, { identity: providerIdentity(identity), model: PROVIDER_MODEL, viaDevice: identity.deviceId, specs: providerActivity }];
}

/** Every device id this daemon can publish under, whatever its configuration (for the stale scan). */
export function deviceIds(identity: MqttIdentity): string[] {
  return [identity.deviceId, providerIdentity(identity).deviceId];
}

export function buildDiscovery(inputs: DiscoveryInputs): DiscoveryMessage[] {
  const { topics } = inputs;
  const origin = { name: ORIGIN_NAME, sw_version: inputs.version };
  return devices(inputs).flatMap(({ identity, model, viaDevice, specs }) => {
    const device: Record<string, unknown> = {
      identifiers: [identity.deviceId],
      name: identity.name,
      manufacturer: MANUFACTURER,
      model,
      sw_version: inputs.version,
    };
    if (inputs.area) device['suggested_area'] = inputs.area;
    if (viaDevice) device['via_device'] = viaDevice;
    return specs.map((spec) => {
      const payload: Record<string, unknown> = {
        name: spec.name,
        unique_id: `${identity.deviceId}_${spec.key}`,
        default_entity_id: `${spec.component}.${identity.objectBase}_${spec.key}`,
        availability: [{ topic: topics.availability, payload_available: 'online', payload_not_available: 'offline' }],
        device,
        origin,
        state_topic: ['button', 'notify'].includes(spec.component) ? undefined : topics.state,
        json_attributes_topic: spec.fields['json_attributes_template'] ? topics.state : undefined,
        qos: 1,
        ...spec.fields,
      };
      for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
      return { topic: topics.discovery(spec.component, identity.deviceId, spec.key), component: spec.component, key: spec.key, payload };
    });
  });
}
