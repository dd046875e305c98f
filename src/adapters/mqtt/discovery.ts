/**
 * Home Assistant MQTT discovery payloads (per-component topics, node id = device id). One device
 * with its origin; every entity has unique_id, default_entity_id and availability. Nothing that
 * HA's Wyoming integration already makes for a satellite (assist-in-progress, pipeline select,
 * noise suppression, auto gain, mic volume multiplier, pipeline mute) is repeated here: the mute
 * switch is the local microphone mute and the volume is the local speaker's.
 */
import type { SatelliteStateName } from '../../core/bus.js';
import type { MqttIdentity, MqttTopics } from './topics.js';

export const ORIGIN_NAME = 'speech-satellite';
export const MANUFACTURER = 'speech-satellite';
export const STATE_OPTIONS: readonly SatelliteStateName[] = ['idle', 'listening', 'processing', 'speaking', 'muted', 'disconnected'];

export interface DiscoveryInputs {
  identity: MqttIdentity;
  topics: MqttTopics;
  version: string;
  area: string | null;
  /** Wake words the satellite can switch between; null when no satellite runs. */
  satelliteWakeWords: readonly string[] | null;
  /** Every wake word name that can fire (satellite and provider), for the event entity. */
  wakeEventTypes: readonly string[];
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

const DIAGNOSTIC = 'diagnostic';

function diagnostics(): EntitySpec[] {
  const diag = (key: string, name: string, fields: Record<string, unknown>): EntitySpec => ({
    component: 'sensor',
    key,
    name,
    fields: { entity_category: DIAGNOSTIC, ...fields },
  });
  return [
    diag('requests', 'Provider requests', { value_template: '{{ value_json.stats.requests }}', state_class: 'total_increasing', icon: 'mdi:counter' }),
    diag('errors', 'Provider errors', { value_template: '{{ value_json.stats.errors }}', state_class: 'total_increasing', icon: 'mdi:alert-circle-outline' }),
    diag('loaded_models', 'Loaded models', {
      value_template: '{{ value_json.stats.loaded_models | count }}',
      json_attributes_template: "{{ {'loaded': value_json.stats.loaded_models, 'installed': value_json.stats.installed_models} | tojson }}",
      state_class: 'measurement',
      icon: 'mdi:brain',
    }),
    diag('event_loop_delay', 'Event loop delay p99', {
      value_template: '{{ value_json.stats.event_loop_delay_p99_ms }}',
      unit_of_measurement: 'ms',
      device_class: 'duration',
      state_class: 'measurement',
      suggested_display_precision: 1,
    }),
    diag('version', 'Version', { value_template: '{{ value_json.version }}', icon: 'mdi:tag-outline' }),
  ];
}

function satelliteEntities(topics: MqttTopics, wakeWords: readonly string[]): EntitySpec[] {
  const specs: EntitySpec[] = [
    {
      component: 'sensor',
      key: 'state',
      name: 'State',
      fields: { device_class: 'enum', options: [...STATE_OPTIONS], value_template: '{{ value_json.state }}', icon: 'mdi:account-voice' },
    },
    {
      component: 'switch',
      key: 'mute',
      name: 'Microphone mute',
      fields: {
        command_topic: topics.command('mute/set'),
        payload_on: 'ON',
        payload_off: 'OFF',
        state_on: 'ON',
        state_off: 'OFF',
        value_template: "{{ 'ON' if value_json.muted else 'OFF' }}",
        icon: 'mdi:microphone-off',
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
        icon: 'mdi:volume-high',
      },
    },
    { component: 'notify', key: 'speak', name: 'Speak', fields: { command_topic: topics.command('speak'), icon: 'mdi:account-voice' } },
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
      fields: { command_topic: topics.command('wake_word/set'), options: [...wakeWords], value_template: '{{ value_json.wake_word }}', entity_category: 'config', icon: 'mdi:account-voice' },
    });
  }
  return specs;
}

function entitySpecs(inputs: DiscoveryInputs): EntitySpec[] {
  const { topics } = inputs;
  const specs: EntitySpec[] = [];
  if (inputs.satelliteWakeWords) specs.push(...satelliteEntities(topics, inputs.satelliteWakeWords));
  specs.push({
    component: 'sensor',
    key: 'last_transcript',
    name: 'Last transcript',
    fields: { value_template: '{{ value_json.last_transcript }}', json_attributes_template: '{{ (value_json.transcript or {}) | tojson }}', icon: 'mdi:text-to-speech' },
  });
  if (inputs.wakeEventTypes.length > 0) {
    specs.push({
      component: 'event',
      key: 'wake',
      name: 'Wake word detected',
      // Events arrive on their own topic, not the state document.
      fields: { state_topic: topics.wake, event_types: [...inputs.wakeEventTypes], icon: 'mdi:bell-ring-outline', json_attributes_topic: undefined },
    });
  }
  specs.push({
    component: 'button',
    key: 'restart',
    name: 'Restart',
    fields: { command_topic: topics.command('restart'), payload_press: 'PRESS', device_class: 'restart', entity_category: 'config' },
  });
  specs.push(...diagnostics());
  return specs;
}

export function buildDiscovery(inputs: DiscoveryInputs): DiscoveryMessage[] {
  const { identity, topics } = inputs;
  const device: Record<string, unknown> = {
    identifiers: [identity.deviceId],
    name: identity.name,
    manufacturer: MANUFACTURER,
    model: inputs.satelliteWakeWords ? 'Wyoming voice satellite' : 'Wyoming speech provider',
    sw_version: inputs.version,
  };
  if (inputs.area) device['suggested_area'] = inputs.area;
  const origin = { name: ORIGIN_NAME, sw_version: inputs.version };
  return entitySpecs(inputs).map((spec) => {
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
}
