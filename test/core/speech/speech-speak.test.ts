import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizeText, synthesizeToPcm } from '../../src/core/tts-synthesize.js';
import { TtsCache } from '../../src/core/tts-cache.js';
import { EspeakEngine } from '../../src/engines/tts/espeak/espeak-engine.js';
import type { TtsEngine } from '../../src/engines/tts/tts.js';
import { createLogger } from '../../src/util/logger.js';
import { hasCommand, need } from '../helpers/system.js';

async function espeakEngines(): Promise<Map<string, TtsEngine>> {
  const engine = await EspeakEngine.create({
    program: 'espeak-ng',
    languages: ['en-us', 'de'],
    preferred: 'en-us',
    maxConcurrent: 1,
    maxQueue: 2,
    log: createLogger({ level: 'silent' }),
  });
  return new Map([['espeak-ng', engine!]]);
}

test('a whole text becomes one stream of PCM at the voice rate, in sentence order', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const engines = await espeakEngines();
  const events: string[] = [];
  const { choice, format } = await synthesizeText(engines, { text: 'One. Two. Three.', samplesPerChunk: 512 }, {
    start: async (f) => void events.push(`start ${f.rate}`),
    chunk: async (pcm) => void events.push(pcm.length <= 1024 ? 'chunk' : 'too big'),
    stop: async () => void events.push('stop'),
  });
  assert.equal(choice.voice.name, 'espeak-ng-en-us');
  assert.deepEqual(format, { rate: 22050, width: 2, channels: 1 });
  assert.equal(events[0], 'start 22050');
  assert.equal(events.at(-1), 'stop');
  assert.ok(events.slice(1, -1).every((e) => e === 'chunk'));

  const three = await synthesizeToPcm(engines, { text: 'One. Two. Three.' });
  const one = await synthesizeToPcm(engines, { text: 'One.' });
  assert.ok(three.pcm.length > 2 * one.pcm.length);
  assert.ok(three.pcm.subarray(0, one.pcm.length).equals(one.pcm), 'the first sentence comes first, unchanged');
  for (const engine of engines.values()) await engine.close();
});

test('voice by language, the default voice, the cache and coded errors work as in the Wyoming service', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const engines = await espeakEngines();
  assert.equal((await synthesizeToPcm(engines, { text: 'Guten Tag.', language: 'de_DE' })).choice.voice.name, 'espeak-ng-de');
  assert.equal((await synthesizeToPcm(engines, { text: 'Hallo.', defaultVoice: 'espeak-ng-de' })).choice.voice.name, 'espeak-ng-de');
  const cache = new TtsCache({ maxEntries: 4, maxBytes: 1 << 22 });
  const first = await synthesizeToPcm(engines, { text: 'Cached.', cache });
  const second = await synthesizeToPcm(engines, { text: 'Cached.', cache });
  assert.equal(cache.hits, 1);
  assert.ok(first.pcm.equals(second.pcm));
  await assert.rejects(synthesizeToPcm(engines, { text: ' ' }), { code: 'SAT_ERR_TTS_EMPTY_TEXT' });
  await assert.rejects(synthesizeToPcm(engines, { text: 'x'.repeat(11), maxTextChars: 10 }), { code: 'SAT_ERR_TTS_TEXT_TOO_LONG' });
  await assert.rejects(synthesizeToPcm(engines, { text: 'Hi.', voice: 'nope' }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(synthesizeToPcm(engines, { text: 'Never.', signal: abort.signal }), { code: 'SAT_ERR_ABORTED' });
  for (const engine of engines.values()) await engine.close();
});
