import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtsCache, ttsCacheKey } from '../../../src/core/speech/tts-cache.js';

const audio = (bytes: number, fill = 1) => ({ rate: 22050, pcm: Buffer.alloc(bytes, fill) });

test('the least recently used entry is evicted when the entry limit is reached', () => {
  const cache = new TtsCache({ maxEntries: 2, maxBytes: 1000 });
  cache.set('a', audio(10));
  cache.set('b', audio(10));
  assert.ok(cache.get('a'), 'a is now the most recently used');
  cache.set('c', audio(10));
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a'));
  assert.ok(cache.get('c'));
  assert.equal(cache.size, 2);
  assert.equal(cache.hits, 3);
  assert.equal(cache.misses, 1);
});

test('the byte limit bounds the cache and an entry larger than it is not stored', () => {
  const cache = new TtsCache({ maxEntries: 100, maxBytes: 100 });
  for (const key of ['a', 'b', 'c', 'd']) cache.set(key, audio(30));
  assert.equal(cache.bytes, 90);
  assert.equal(cache.get('a'), undefined);
  cache.set('huge', audio(101));
  assert.equal(cache.get('huge'), undefined);
  cache.set('b', audio(60, 7)); // replacing an entry updates the byte count
  assert.ok(cache.bytes <= 100);
  assert.equal(cache.get('b')!.pcm[0], 7);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});

test('a zero-entry cache stores nothing', () => {
  const cache = new TtsCache({ maxEntries: 0, maxBytes: 1000 });
  cache.set('a', audio(1));
  assert.equal(cache.get('a'), undefined);
});

test('keys differ by voice, speaker, speed and text', () => {
  const keys = new Set([
    ttsCacheKey('v', undefined, 1, 'hello'),
    ttsCacheKey('v', 'alice', 1, 'hello'),
    ttsCacheKey('v', undefined, 1.5, 'hello'),
    ttsCacheKey('w', undefined, 1, 'hello'),
    ttsCacheKey('v', undefined, 1, 'hello.'),
  ]);
  assert.equal(keys.size, 5);
  assert.equal(ttsCacheKey('v', undefined, 1, 'x'), ttsCacheKey('v', undefined, 1, 'x'));
});
