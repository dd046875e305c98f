import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildDiscovery, deviceIds, ICONS, STATE_OPTIONS, type DiscoveryInputs, type DiscoveryMessage } from '../../../src/adapters/mqtt/discovery.js';
import { buildState, MAX_STATE_CHARS, shortState, type StateInputs } from '../../../src/adapters/mqtt/state.js';
import { defaultBaseTopic, mqttIdentity, MqttTopics, providerIdentity } from '../../../src/adapters/mqtt/topics.js';
import { topicMatches } from '../../../src/adapters/mqtt/discovery-publisher.js';
import type { SatelliteControl } from '../../../src/core/satellite-control.js';
import { discoveryProblems } from './ha-discovery-rules.js';

const identity = mqttIdentity('Kitchen Pi', '0123456789ab');
const topics = new MqttTopics(defaultBaseTopic('Kitchen Pi', '0123456789ab'), 'homeassistant');
const WORDS = ['hey_jarvis', 'alexa'];

const inputs = (over: Partial<DiscoveryInputs> = {}): DiscoveryInputs => ({
  identity,
  topics,
  version: '1.2.3',
  area: 'Kitchen',
  satelliteWakeWords: WORDS,
  providerWakeWords: WORDS,
  restart: true,
  ...over,
});

/** Every configuration the daemon can be in. */
const CONFIGURATIONS: Array<[string, DiscoveryInputs]> = [
  ['satellite and provider, supervised', inputs()],
  ['satellite without provider', inputs({ providerWakeWords: null })],
  ['satellite in VAD mode (no wake words), provider without wake', inputs({ satelliteWakeWords: [], providerWakeWords: [] })],
  ['provider only, not supervised', inputs({ satelliteWakeWords: null, restart: false, area: null })],
  ['nothing but the daemon', inputs({ satelliteWakeWords: null, providerWakeWords: null })],
];

/**
 * What HA's Wyoming integration creates for a satellite whose `info` name is the same as our
 * device's (our MQTT device and the satellite share the daemon's display name). Its entities have
 * has_entity_name (wyoming/entity.py), so each entity id is `<domain>.<device>_<English name>`:
 * - wyoming/binary_sensor.py: key assist_in_progress, name "Assist in progress" (assist_pipeline/strings.json)
 * - wyoming/switch.py: key mute, name "Mute" (wyoming/strings.json)
 * - wyoming/select.py: pipeline ("Assistant", formerly "Pipeline"), noise_suppression_level
 *   ("Noise suppression level"), vad_sensitivity ("Finished speaking detection", assist_pipeline/strings.json)
 * - wyoming/number.py: auto_gain ("Auto gain"), volume_multiplier ("Mic volume")
 * - wyoming/assist_satellite.py: the satellite entity itself, named after the device
 */
function haWyomingEntityIds(device: string): string[] {
  return [
    `binary_sensor.${device}_assist_in_progress`,
    `switch.${device}_mute`,
    `select.${device}_assistant`,
    `select.${device}_pipeline`,
    `select.${device}_noise_suppression_level`,
    `select.${device}_finished_speaking_detection`,
    `number.${device}_auto_gain`,
    `number.${device}_mic_volume`,
    `assist_satellite.${device}`,
  ];
}

const deviceOf = (m: DiscoveryMessage) => (m.payload['device'] as { identifiers: string[]; model: string }).identifiers[0];
const modelOf = (m: DiscoveryMessage) => (m.payload['device'] as { identifiers: string[]; model: string }).model;
const payloads = (i: DiscoveryInputs) => buildDiscovery(i).map((m) => m.payload as Record<string, any>);

test('identity and topics derive from the configured name and the machine id', () => {
  assert.equal(identity.deviceId, 'speech_satellite_0123456789ab_kitchen_pi');
  assert.equal(identity.objectBase, 'kitchen_pi');
  assert.equal(topics.base, 'speech-satellite/kitchen-pi');
  assert.equal(mqttIdentity(null, 'abc').deviceId, 'speech_satellite_abc');
  assert.deepEqual(providerIdentity(identity), { deviceId: `${identity.deviceId}_provider`, name: 'Kitchen Pi provider', objectBase: 'kitchen_pi_provider' });
  assert.deepEqual(deviceIds(identity), [identity.deviceId, `${identity.deviceId}_provider`]);
  assert.equal(defaultBaseTopic(null, 'abc'), 'speech-satellite/abc');
  assert.throws(() => new MqttTopics('a/#', 'homeassistant'));
  assert.equal(topics.relativeCommand('speech-satellite/kitchen-pi/volume/set'), 'volume/set');
  assert.equal(topics.relativeCommand('speech-satellite/kitchen-pi/state'), null);
  assert.equal(topics.providerWake, 'speech-satellite/kitchen-pi/provider/wake');
  assert.ok(topicMatches(topics.discoveryWildcard(identity.deviceId), `homeassistant/switch/${identity.deviceId}/mic_mute/config`));
  assert.ok(!topicMatches(topics.discoveryWildcard(identity.deviceId), `homeassistant/switch/other/mic_mute/config`));
});

test('every discovery payload, in every configuration, passes the rules Home Assistant applies to MQTT discovery', () => {
  for (const [what, config] of CONFIGURATIONS) {
    const messages = buildDiscovery(config);
    assert.ok(messages.length > 0, what);
    const problems = messages.flatMap((m) => discoveryProblems(m.topic, m.payload));
    assert.deepEqual(problems, [], what);
    const uniqueIds = messages.map((m) => m.payload['unique_id']);
    assert.equal(new Set(uniqueIds).size, uniqueIds.length, `${what}: unique ids are unique`);
    const entityIds = messages.map((m) => m.payload['default_entity_id']);
    assert.equal(new Set(entityIds).size, entityIds.length, `${what}: default entity ids are unique`);
  }
});

test("no default entity id is one that HA's Wyoming integration creates for the same satellite; the microphone mute is switch.<device>_mic_mute", () => {
  for (const [what, config] of CONFIGURATIONS) {
    const ours = new Set(payloads(config).map((p) => p['default_entity_id'] as string));
    for (const theirs of haWyomingEntityIds(identity.objectBase)) assert.ok(!ours.has(theirs), `${what}: ${theirs} would collide`);
  }
  const mute = payloads(inputs()).find((p) => p['unique_id'] === `${identity.deviceId}_mic_mute`)!;
  assert.equal(mute['default_entity_id'], 'switch.kitchen_pi_mic_mute');
  assert.equal(mute['name'], 'Microphone mute');
});

test('every icon is a current Material Design icon (not an alias, not deprecated); State, Speak and Wake word differ; the mute switch follows its state', () => {
  const metaFile = createRequire(import.meta.url).resolve('@mdi/svg/meta.json');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Array<{ name: string; aliases: string[]; deprecated?: boolean }>;
  const current = new Map(meta.map((icon) => [icon.name, icon]));
  const used = new Set<string>(Object.values(ICONS));
  for (const [, config] of CONFIGURATIONS) for (const p of payloads(config)) if (p['icon']) used.add(p['icon'] as string);
  for (const icon of used) {
    const [prefix, name] = icon.split(':');
    assert.equal(prefix, 'mdi', icon);
    const entry = current.get(name!);
    assert.ok(entry, `${icon} is not an icon of @mdi/svg (an alias shows blank)`);
    assert.ok(!entry.deprecated, `${icon} is deprecated`);
  }
  assert.ok(!used.has('mdi:text-to-speech'), 'the alias that showed blank is gone');
  const byKey = new Map(buildDiscovery(inputs()).filter((m) => deviceOf(m) === identity.deviceId).map((m) => [m.key, m.payload as Record<string, any>]));
  const distinct = ['state', 'speak', 'wake_word'].map((k) => byKey.get(k)!['icon']);
  assert.equal(new Set(distinct).size, 3, `State, Speak and Wake word have their own icons: ${distinct.join(', ')}`);
  const mute = byKey.get('mic_mute')!;
  assert.equal(mute['icon'], undefined, 'no fixed icon, so HA shows the switch icon of the current state');
  assert.equal(mute['device_class'], 'switch');
});

test('the restart button is offered only when a service manager restarts the daemon', () => {
  assert.ok(buildDiscovery(inputs({ restart: true })).some((m) => m.key === 'restart' && m.payload['payload_press'] === 'PRESS'));
  assert.ok(!buildDiscovery(inputs({ restart: false })).some((m) => m.key === 'restart'));
});

test("a satellite next to the provider endpoint: the satellite's device shows its own wake words and transcripts, provider activity has its own device", () => {
  const messages = buildDiscovery(inputs({ providerWakeWords: ['hey_jarvis', 'alexa', 'hey_mycroft'], satelliteWakeWords: ['alexa'] }));
  const main = messages.filter((m) => deviceOf(m) === identity.deviceId);
  const provider = messages.filter((m) => deviceOf(m) === `${identity.deviceId}_provider`);
  assert.deepEqual(main.map((m) => m.key).sort(), ['errors', 'event_loop_delay', 'ha_connection', 'last_transcript', 'loaded_models', 'mic_mute', 'requests', 'restart', 'speak', 'state', 'version', 'volume', 'wake', 'wake_word']);
  assert.deepEqual(provider.map((m) => m.key).sort(), ['last_transcript', 'wake']);
  assert.equal(main.length + provider.length, messages.length);
  const mainWake = main.find((m) => m.key === 'wake')!.payload as Record<string, any>;
  assert.deepEqual([mainWake['state_topic'], mainWake['event_types']], [topics.wake, ['alexa']]);
  const providerWake = provider.find((m) => m.key === 'wake')!.payload as Record<string, any>;
  assert.deepEqual([providerWake['state_topic'], providerWake['event_types'], providerWake['default_entity_id']], [topics.providerWake, ['hey_jarvis', 'alexa', 'hey_mycroft'], 'event.kitchen_pi_provider_wake']);
  assert.equal(main.find((m) => m.key === 'last_transcript')!.payload['value_template'], '{{ value_json.last_transcript }}');
  assert.equal(provider.find((m) => m.key === 'last_transcript')!.payload['value_template'], '{{ value_json.provider.last_transcript }}');
  assert.deepEqual(provider[0]!.payload['device'], {
    identifiers: [`${identity.deviceId}_provider`],
    name: 'Kitchen Pi provider',
    manufacturer: 'speech-satellite',
    model: 'Wyoming speech provider',
    sw_version: '1.2.3',
    suggested_area: 'Kitchen',
    via_device: identity.deviceId,
  });
  const state = main.find((m) => m.key === 'state')!.payload as Record<string, any>;
  assert.deepEqual(state['options'], [...STATE_OPTIONS]);
  assert.ok(state['options'].includes('paused'));
  assert.equal(state['json_attributes_topic'], topics.state);
  assert.match(state['json_attributes_template'], /value_json\.detail/);
});

test('without a satellite the one device is the provider, with its activity and the diagnostics; without the provider endpoint there is no provider activity', () => {
  const providerOnly = buildDiscovery(inputs({ satelliteWakeWords: null }));
  assert.deepEqual(providerOnly.map((m) => m.key).sort(), ['errors', 'event_loop_delay', 'last_transcript', 'loaded_models', 'requests', 'restart', 'version', 'wake']);
  assert.ok(providerOnly.every((m) => deviceOf(m) === identity.deviceId && modelOf(m) === 'Wyoming speech provider'));
  assert.equal(providerOnly.find((m) => m.key === 'wake')!.payload['state_topic'], topics.providerWake);
  const satelliteOnly = buildDiscovery(inputs({ providerWakeWords: null }));
  assert.ok(!satelliteOnly.some((m) => deviceOf(m) !== identity.deviceId), 'no provider device');
  assert.equal(satelliteOnly.find((m) => m.key === 'wake')!.payload['state_topic'], topics.wake);
});

const STATS = { services: {}, requests: 3, errors: 1, eventLoopDelayP99Ms: 12.3456, eventLoopDelayMaxMs: 20, uptimeSeconds: 5 };
const stateInputs = (over: Partial<StateInputs> = {}): StateInputs => ({
  satellite: undefined,
  haConnected: false,
  satelliteActivity: { transcript: null, wake: null },
  providerActivity: { transcript: null, wake: null },
  stats: STATS,
  models: { installed: ['a'], loaded: [] },
  version: '9',
  ...over,
});

test('the transcript state is cut to 255 characters while the attributes keep the full text; before anything is heard it is null, not an empty string', () => {
  const long = 'word '.repeat(100).trim();
  assert.equal([...shortState(long)].length, MAX_STATE_CHARS);
  assert.equal(shortState('short'), 'short');
  const empty = buildState(stateInputs());
  assert.equal(empty.last_transcript, null);
  assert.equal(empty.provider.last_transcript, null);
  const doc = buildState(stateInputs({ providerActivity: { transcript: { text: long, language: 'en', source: 'provider', at: '2024-01-01T00:00:00.000Z' }, wake: null } }));
  assert.equal(doc.provider.transcript?.text, long);
  assert.ok(doc.provider.last_transcript!.length <= MAX_STATE_CHARS);
  assert.equal(doc.last_transcript, null, "the provider's transcript is not the satellite's");
  assert.equal(doc.state, null);
  assert.equal(doc.detail, null);
  assert.deepEqual(doc.stats, { requests: 3, errors: 1, loaded_models: [], installed_models: ['a'], event_loop_delay_p99_ms: 12.35, uptime_s: 5 });
});

test('the state document carries the satellite state with its detail', () => {
  const satellite: SatelliteControl = {
    state: 'paused',
    detail: 'paused by Home Assistant; microphone unavailable: no such device (retrying in 2 s)',
    muted: false,
    volume: 40,
    wakeWords: WORDS,
    activeWakeWord: 'alexa',
    setMuted: () => undefined,
    setVolume: () => undefined,
    selectWakeWord: () => undefined,
    speak: async () => undefined,
  };
  const doc = buildState(stateInputs({ satellite, haConnected: true }));
  assert.equal(doc.state, 'paused');
  assert.match(doc.detail!, /microphone unavailable: no such device/);
  assert.deepEqual([doc.volume, doc.wake_word, doc.ha_connected], [40, 'alexa', true]);
});
