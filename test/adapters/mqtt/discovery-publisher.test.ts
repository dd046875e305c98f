import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/util/logger.js';
import { DiscoveryPublisher, type Publisher } from '../../../src/adapters/mqtt/discovery-publisher.js';
import type { DiscoveryMessage } from '../../../src/adapters/mqtt/discovery.js';

const log = createLogger({ level: 'silent' });
const WILDCARD = 'homeassistant/+/dev1/+/config';

/** Records what would go to the broker (the logic under test is which topics get cleared). */
class RecordingPublisher implements Publisher {
  readonly published: Array<{ topic: string; payload: string; retain: boolean }> = [];
  readonly subscriptions: string[] = [];
  async publish(topic: string, payload: string, options: { retain: boolean }): Promise<void> {
    this.published.push({ topic, payload, retain: options.retain });
  }
  async subscribe(topics: string[]): Promise<void> {
    for (const topic of topics) this.subscriptions.push(`+${topic}`);
  }
  async unsubscribe(topics: string[]): Promise<void> {
    for (const topic of topics) this.subscriptions.push(`-${topic}`);
  }
  cleared(): string[] {
    return this.published.filter((p) => p.payload === '').map((p) => p.topic);
  }
}

const message = (component: string, key: string): DiscoveryMessage => ({
  topic: `homeassistant/${component}/dev1/${key}/config`,
  component,
  key,
  payload: { unique_id: `dev1_${key}` },
});

test('retained configs of this device that are no longer wanted are cleared after the scan; own echoes are not', async () => {
  const client = new RecordingPublisher();
  const publisher = new DiscoveryPublisher(client, [WILDCARD], () => [message('sensor', 'state'), message('button', 'restart')], log, 10);
  await publisher.onConnect();
  assert.deepEqual(client.subscriptions, [`+${WILDCARD}`]);
  assert.ok(client.published.every((p) => p.retain), 'discovery is retained');
  assert.equal(publisher.onMessage('homeassistant/switch/dev1/old/config', Buffer.from('{}'), true), true);
  publisher.onMessage('homeassistant/sensor/dev1/state/config', Buffer.from('{}'), true);
  publisher.onMessage('homeassistant/select/dev1/echo/config', Buffer.from('{}'), false);
  publisher.onMessage('homeassistant/select/dev1/already_empty/config', Buffer.alloc(0), true);
  assert.equal(publisher.onMessage('homeassistant/switch/other/x/config', Buffer.from('{}'), true), false, 'another device is not ours');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(client.cleared(), ['homeassistant/switch/dev1/old/config']);
  assert.deepEqual(client.subscriptions, [`+${WILDCARD}`, `-${WILDCARD}`]);
  assert.equal(publisher.onMessage('homeassistant/switch/dev1/late/config', Buffer.from('{}'), true), false, 'the scan is over');
});

test('an entity that disappears between two publishes is cleared', async () => {
  const client = new RecordingPublisher();
  let withSelect = true;
  const publisher = new DiscoveryPublisher(client, [WILDCARD], () => [message('sensor', 'state'), ...(withSelect ? [message('select', 'wake_word')] : [])], log);
  await publisher.publish();
  assert.deepEqual(client.cleared(), []);
  withSelect = false;
  await publisher.publish();
  assert.deepEqual(client.cleared(), ['homeassistant/select/dev1/wake_word/config']);
  publisher.stop();
});

test('every retained config of a device id used before (a rename) is cleared, and the scan reports when it is done', async () => {
  const client = new RecordingPublisher();
  const OLD = 'homeassistant/+/old_id/+/config';
  const publisher = new DiscoveryPublisher(client, [WILDCARD], () => [message('sensor', 'state')], log, 10);
  await publisher.onConnect([OLD]);
  assert.deepEqual(client.subscriptions, [`+${WILDCARD}`, `+${OLD}`]);
  assert.equal(publisher.onMessage('homeassistant/sensor/old_id/state/config', Buffer.from('{}'), true), true);
  publisher.onMessage('homeassistant/switch/old_id/mute/config', Buffer.from('{}'), true);
  await new Promise((r) => setTimeout(r, 50)); // the scan timer is unref'd: keep the loop alive meanwhile
  assert.equal(await publisher.lastScan, true);
  assert.deepEqual(client.cleared().sort(), ['homeassistant/sensor/old_id/state/config', 'homeassistant/switch/old_id/mute/config']);
  assert.deepEqual(client.subscriptions.slice(2), [`-${WILDCARD}`, `-${OLD}`]);
});
