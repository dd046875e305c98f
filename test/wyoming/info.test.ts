import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInfo, mergeProviderInfo, type InfoParts } from '../../src/wyoming/info.js';
import { infoSchema } from '../../src/wyoming/info-schema.js';
import { parseEvent } from '../../src/wyoming/events.js';

const attribution = { name: 'k2-fsa', url: 'https://example.invalid/k2' };

const PARTS: InfoParts = {
  asr: [
    {
      name: 'asr',
      description: 'speech to text',
      version: '1.0.0',
      attribution,
      supportsTranscriptStreaming: true,
      models: [{ name: 'zipformer', description: 'Zipformer', languages: ['en'], attribution }],
    },
  ],
  tts: [
    {
      name: 'tts',
      description: 'text to speech',
      version: '1.0.0',
      attribution,
      supportsSynthesizeStreaming: true,
      voices: [{ name: 'kokoro', description: 'Kokoro', languages: ['en-us'], attribution, speakers: ['af_heart', 'bm_george'] }],
    },
  ],
  wake: [
    {
      name: 'wake',
      description: 'wake words',
      version: '1.0.0',
      attribution,
      models: [{ name: 'hey_jarvis', description: 'Hey Jarvis', languages: ['en'], attribution, phrase: 'Hey Jarvis' }],
    },
  ],
};

/** Every artifact HA's parser reads must carry these keys (wyoming-protocol.md §3). */
function artifacts(info: Record<string, unknown>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const key of ['asr', 'tts', 'wake', 'handle', 'intent', 'mic', 'snd']) {
    for (const program of (info[key] as Array<Record<string, unknown>>) ?? []) {
      out.push(program);
      for (const child of [...((program['models'] as []) ?? []), ...((program['voices'] as []) ?? [])]) out.push(child);
    }
  }
  if (info['satellite']) out.push(info['satellite'] as Record<string, unknown>);
  return out;
}

test('every program, model, voice and the satellite carry what HA requires', () => {
  const info = buildInfo({
    ...PARTS,
    satellite: { name: 'Kitchen', description: 'Kitchen satellite', version: '1.0.0', attribution, area: 'Kitchen', hasVad: false, activeWakeWords: ['hey_jarvis'], maxActiveWakeWords: 1, supportsTrigger: false },
  }) as Record<string, unknown>;
  const all = artifacts(info);
  assert.equal(all.length, 7);
  for (const a of all) {
    for (const key of ['name', 'attribution', 'installed', 'description', 'version']) assert.ok(key in a, `${String(a['name'])} lacks ${key}`);
    assert.equal(a['installed'], true);
    assert.deepEqual(Object.keys(a['attribution'] as object).sort(), ['name', 'url']);
  }
});

test('all seven lists are present, TTS lists voices (not models), and models and voices carry languages', () => {
  const info = buildInfo(PARTS);
  for (const key of ['asr', 'tts', 'handle', 'intent', 'wake', 'mic', 'snd'] as const) assert.ok(Array.isArray(info[key]), key);
  const tts = info.tts![0]!;
  assert.ok('voices' in tts && !('models' in tts));
  assert.deepEqual(tts.voices[0]!.speakers, [{ name: 'af_heart' }, { name: 'bm_george' }]);
  assert.deepEqual(info.asr![0]!.models[0]!.languages, ['en']);
  assert.equal(info.wake![0]!.models[0]!.phrase, 'Hey Jarvis');
  assert.equal(info.asr![0]!.supports_transcript_streaming, true);
  assert.equal(tts.supports_synthesize_streaming, true);
});

test('the provider info never contains a satellite section', () => {
  const info = mergeProviderInfo([PARTS, { asr: PARTS.asr }]) as Record<string, unknown>;
  assert.equal('satellite' in info, false);
  assert.equal((info['asr'] as unknown[]).length, 2);
});

test('a built info passes the strict info schema and types as an info event', () => {
  const info = buildInfo(PARTS);
  assert.equal(infoSchema.safeParse(info).success, true);
  assert.equal(parseEvent({ type: 'info', data: info as Record<string, unknown> })?.type, 'info');
  const broken = structuredClone(info) as { asr: Array<Record<string, unknown>> };
  delete broken.asr[0]!['attribution'];
  assert.equal(infoSchema.safeParse(broken).success, false);
});
