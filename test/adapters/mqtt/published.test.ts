import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/util/logger.js';
import { leftovers, PublishedIdentities, PUBLISHED_FILE_NAME, withCurrent, type PublishedIdentity } from '../../../src/adapters/mqtt/published.js';

const log = createLogger({ level: 'silent' });
const unnamed: PublishedIdentity = { device_ids: ['speech_satellite_abc', 'speech_satellite_abc_provider'], base_topic: 'speech-satellite/abc', discovery_prefix: 'homeassistant' };
const named: PublishedIdentity = { device_ids: ['speech_satellite_abc_kitchen', 'speech_satellite_abc_kitchen_provider'], base_topic: 'speech-satellite/kitchen', discovery_prefix: 'homeassistant' };

test('after a rename every old device id is scanned and the old base topic cleared; the current identity leaves nothing to clean', () => {
  assert.deepEqual(leftovers([unnamed], named), {
    wildcards: ['homeassistant/+/speech_satellite_abc/+/config', 'homeassistant/+/speech_satellite_abc_provider/+/config'],
    topics: ['speech-satellite/abc/availability', 'speech-satellite/abc/state'],
  });
  assert.deepEqual(leftovers([named], named), { wildcards: [], topics: [] });
  // Only the discovery prefix changed: the same ids under the old prefix are leftovers, the base topic is not.
  const moved = { ...named, discovery_prefix: 'ha' };
  assert.deepEqual(leftovers([named], moved), { wildcards: ['homeassistant/+/speech_satellite_abc_kitchen/+/config', 'homeassistant/+/speech_satellite_abc_kitchen_provider/+/config'], topics: [] });
  assert.deepEqual(withCurrent([unnamed, named], named), [named, unnamed]);
});

test('the record of published identities survives a restart, and a missing or broken file counts as empty', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-published-'));
  const store = new PublishedIdentities(dir, log);
  assert.deepEqual(store.load(), []);
  store.save([named, unnamed]);
  assert.deepEqual(new PublishedIdentities(dir, log).load(), [named, unnamed]);
  writeFileSync(path.join(dir, PUBLISHED_FILE_NAME), '{"published": [{"device_ids": ["bad/id"]}]}');
  assert.deepEqual(store.load(), []);
  writeFileSync(path.join(dir, PUBLISHED_FILE_NAME), 'not json');
  assert.deepEqual(store.load(), []);
});
