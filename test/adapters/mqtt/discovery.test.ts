import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDiscovery } from '../../../src/adapters/mqtt/discovery.js';
import { buildState, MAX_STATE_CHARS, shortState } from '../../../src/adapters/mqtt/state.js';
import { defaultBaseTopic, mqttIdentity, MqttTopics } from '../../../src/adapters/mqtt/topics.js';
import { topicMatches } from '../../../src/adapters/mqtt/discovery-publisher.js';

const identity = mqttIdentity('Kitchen Pi', '0123456789ab');
const topics = new MqttTopics(defaultBaseTopic('Kitchen Pi', '0123456789ab'), 'homeassistant');

/** What HA's Wyoming integration creates itself for a satellite (ecosystem.md §1.4). */
const WYOMING_OWNED = /assist_in_progress|pipeline|noise_suppression|auto_gain|volume_multiplier/;

test('identity and topics derive from the configured name and the machine id', () => {
  assert.equal(identity.deviceId, 'speech_satellite_0123456789ab_kitchen_pi');
  assert.equal(topics.base, 'speech-satellite/kitchen-pi');
  assert.equal(mqttIdentity(null, 'abc').deviceId, 'speech_satellite_abc');
  assert.equal(defaultBaseTopic(null, 'abc'), 'speech-satellite/abc');
  assert.throws(() => new MqttTopics('a/#', 'homeassistant'));
  assert.equal(topics.relativeCommand('speech-satellite/kitchen-pi/volume/set'), 'volume/set');
  assert.equal(topics.relativeCommand('speech-satellite/kitchen-pi/state'), null);
  assert.ok(topicMatches(topics.discoveryWildcard(identity.deviceId), `homeassistant/switch/${identity.deviceId}/mute/config`));
  assert.ok(!topicMatches(topics.discoveryWildcard(identity.deviceId), `homeassistant/switch/other/mute/config`));
});

test('a satellite device gets every control entity, each with unique_id, default_entity_id and availability', () => {
  const messages = buildDiscovery({ identity, topics, version: '1.2.3', area: 'Kitchen', satelliteWakeWords: ['hey_jarvis', 'alexa'], wakeEventTypes: ['hey_jarvis', 'alexa'] });
  const byKey = new Map(messages.map((m) => [m.key, m]));
  for (const key of ['state', 'last_transcript', 'wake', 'mute', 'volume', 'wake_word', 'restart', 'ha_connection', 'requests', 'errors', 'loaded_models', 'event_loop_delay', 'version', 'speak']) {
    assert.ok(byKey.has(key), `entity ${key}`);
  }
  const ids = new Set<string>();
  for (const m of messages) {
    const p = m.payload as Record<string, any>;
    assert.equal(m.topic, `homeassistant/${m.component}/${identity.deviceId}/${m.key}/config`);
    assert.equal(p['unique_id'], `${identity.deviceId}_${m.key}`);
    assert.ok(!ids.has(p['unique_id']));
    ids.add(p['unique_id']);
    assert.equal(p['default_entity_id'], `${m.component}.kitchen_pi_${m.key}`);
    assert.deepEqual(p['availability'], [{ topic: 'speech-satellite/kitchen-pi/availability', payload_available: 'online', payload_not_available: 'offline' }]);
    assert.deepEqual(p['device'], { identifiers: [identity.deviceId], name: 'Kitchen Pi', manufacturer: 'speech-satellite', model: 'Wyoming voice satellite', sw_version: '1.2.3', suggested_area: 'Kitchen' });
    assert.equal(p['origin'].name, 'speech-satellite');
    assert.doesNotMatch(m.key, WYOMING_OWNED);
    if (m.component === 'sensor' || m.component === 'binary_sensor') assert.notEqual(p['entity_category'], 'config', 'HA rejects config sensors');
  }
  const state = byKey.get('state')!.payload as Record<string, any>;
  assert.equal(state['device_class'], 'enum');
  assert.deepEqual(state['options'], ['idle', 'listening', 'processing', 'speaking', 'muted', 'disconnected']);
  assert.deepEqual((byKey.get('wake')!.payload as Record<string, any>)['event_types'], ['hey_jarvis', 'alexa']);
  assert.equal((byKey.get('wake')!.payload as Record<string, any>)['state_topic'], topics.wake);
  assert.equal((byKey.get('restart')!.payload as Record<string, any>)['device_class'], 'restart');
  const volume = byKey.get('volume')!.payload as Record<string, any>;
  assert.deepEqual([volume['min'], volume['max'], volume['unit_of_measurement']], [0, 100, '%']);
});

test('without a satellite only provider-side entities are announced', () => {
  const messages = buildDiscovery({ identity, topics, version: '1', area: null, satelliteWakeWords: null, wakeEventTypes: [] });
  const keys = messages.map((m) => m.key).sort();
  assert.deepEqual(keys, ['errors', 'event_loop_delay', 'last_transcript', 'loaded_models', 'requests', 'restart', 'version']);
  assert.equal((messages[0]!.payload['device'] as Record<string, unknown>)['model'], 'Wyoming speech provider');
});

test('the transcript state is cut to 255 characters while the attributes keep the full text', () => {
  const long = 'word '.repeat(100).trim();
  assert.equal([...shortState(long)].length, MAX_STATE_CHARS);
  assert.equal(shortState('short'), 'short');
  const doc = buildState({
    satellite: undefined,
    haConnected: false,
    transcript: { text: long, language: 'en', source: 'provider', at: '2024-01-01T00:00:00.000Z' },
    wake: null,
    stats: { services: {}, requests: 3, errors: 1, eventLoopDelayP99Ms: 12.3456, eventLoopDelayMaxMs: 20, uptimeSeconds: 5 },
    models: { installed: ['a'], loaded: [] },
    version: '9',
  });
  assert.equal(doc.transcript?.text, long);
  assert.ok(doc.last_transcript.length <= MAX_STATE_CHARS);
  assert.equal(doc.state, null);
  assert.deepEqual(doc.stats, { requests: 3, errors: 1, loaded_models: [], installed_models: ['a'], event_loop_delay_p99_ms: 12.35, uptime_s: 5 });
});
