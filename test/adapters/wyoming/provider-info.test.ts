import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProviderInfo, type ModelListing, type ProviderInfoInput, type VoiceListing, type WakeListing } from '../../../src/adapters/wyoming/provider-info.js';
import { infoSchema, type InfoData } from '../../../src/wyoming/info-schema.js';

const ATTR = { name: 'test', url: 'https://example.invalid/' };
const ESPEAK: VoiceListing = { name: 'espeak-ng-en-us', description: 'eSpeak NG en-us', languages: ['en-US'], version: null, attribution: ATTR, speakers: null };
const PIPER: VoiceListing = { name: 'en_US-lessac-medium', description: 'Lessac', languages: ['en_US'], version: '1', attribution: ATTR, speakers: ['a', 'b'] };
const ZIPFORMER: ModelListing = { name: 'zipformer-en', description: 'Zipformer', languages: ['en'], version: '2025', attribution: ATTR };
const JARVIS: WakeListing = { name: 'hey_jarvis', description: 'Hey Jarvis', languages: ['en'], attribution: ATTR, phrase: 'hey jarvis' };

function input(over: Partial<ProviderInfoInput> = {}): ProviderInfoInput {
  return {
    version: '0.1.0',
    enabled: { asr: true, tts: true, wake: true },
    asr: { installed: [], supportsTranscriptStreaming: false },
    tts: { installed: [ESPEAK], supportsSynthesizeStreaming: true },
    wake: { installed: [] },
    ...over,
  };
}

/** What Home Assistant makes of an info (data.py get_name/platforms, stt.py, tts.py, wake_word.py of 2026.11). */
function asHomeAssistant(info: InfoData) {
  const installed = <T extends { installed: boolean }>(list: T[] | undefined) => (list ?? []).filter((p) => p.installed);
  const asr = installed(info.asr);
  const tts = installed(info.tts);
  const wake = installed(info.wake);
  return {
    name: asr[0]?.name ?? tts[0]?.name ?? wake[0]?.name,
    platforms: [...(asr.length ? ['stt'] : []), ...(tts.length ? ['tts'] : []), ...(wake.length ? ['wake_word'] : [])],
    sttLanguages: [...new Set((info.asr?.[0]?.models ?? []).filter((m) => m.installed).flatMap((m) => m.languages))],
    ttsVoices: (tts[0]?.voices ?? []).filter((v) => v.installed).map((v) => v.name),
    wakeWords: (wake[0]?.models ?? []).map((m) => m.name),
  };
}

const programNames = (info: InfoData) => [...(info.asr ?? []), ...(info.tts ?? []), ...(info.wake ?? [])].map((p) => p.name);

test('an empty models folder still lists asr, tts and wake, under the names HA keys its entry on', () => {
  const info = buildProviderInfo(input());
  assert.deepEqual(infoSchema.parse(info), info, 'valid for the strict schema');
  assert.deepEqual(programNames(info), ['speech-satellite-stt', 'speech-satellite-tts', 'speech-satellite-wake']);
  const ha = asHomeAssistant(info);
  assert.equal(ha.name, 'speech-satellite-stt');
  assert.deepEqual(ha.platforms, ['stt', 'tts', 'wake_word']);
  assert.deepEqual(info.asr?.[0]?.models, []);
  assert.equal(info.satellite, undefined, 'a provider info never carries a satellite');
  assert.deepEqual([info.handle, info.intent, info.mic, info.snd], [[], [], [], []]);
});

test('program names and order stay put while the first-run pull installs models', () => {
  const steps: ProviderInfoInput[] = [
    input(),
    input({ asr: { installed: [], pending: [ZIPFORMER], supportsTranscriptStreaming: false }, wake: { installed: [], pending: [JARVIS] } }),
    input({ asr: { installed: [ZIPFORMER], supportsTranscriptStreaming: true }, wake: { installed: [], pending: [JARVIS] } }),
    input({ asr: { installed: [ZIPFORMER], supportsTranscriptStreaming: true }, wake: { installed: [JARVIS] } }),
    input({ asr: { installed: [ZIPFORMER], supportsTranscriptStreaming: true }, tts: { installed: [ESPEAK, PIPER], supportsSynthesizeStreaming: true }, wake: { installed: [JARVIS] } }),
  ];
  for (const step of steps) {
    const info = buildProviderInfo(step);
    infoSchema.parse(info);
    assert.deepEqual(programNames(info), ['speech-satellite-stt', 'speech-satellite-tts', 'speech-satellite-wake']);
    assert.equal(asHomeAssistant(info).name, 'speech-satellite-stt');
    assert.deepEqual(asHomeAssistant(info).platforms, ['stt', 'tts', 'wake_word']);
  }
});

test('models a running pull will add are offered as installed, so HA sets STT up with their languages', () => {
  const pending = buildProviderInfo(
    input({
      asr: { installed: [], pending: [ZIPFORMER], supportsTranscriptStreaming: false },
      tts: { installed: [ESPEAK], pending: [PIPER], supportsSynthesizeStreaming: true },
      wake: { installed: [], pending: [JARVIS] },
    }),
  );
  const done = buildProviderInfo(
    input({
      asr: { installed: [ZIPFORMER], supportsTranscriptStreaming: false },
      tts: { installed: [ESPEAK, PIPER], supportsSynthesizeStreaming: true },
      wake: { installed: [JARVIS] },
    }),
  );
  assert.deepEqual(pending, done, 'HA cannot tell a pending model from an installed one');
  const ha = asHomeAssistant(pending);
  assert.deepEqual(ha.sttLanguages, ['en']);
  assert.deepEqual(ha.ttsVoices, ['espeak-ng-en-us', 'en_US-lessac-medium']);
  assert.deepEqual(ha.wakeWords, ['hey_jarvis']);
  assert.equal(pending.wake?.[0]?.models[0]?.phrase, 'hey jarvis');
  assert.deepEqual(pending.tts?.[0]?.voices[1]?.speakers, [{ name: 'a' }, { name: 'b' }]);
});

test('a model both installed and pending is listed once, as installed', () => {
  const newer = { ...ZIPFORMER, version: 'pending' };
  const info = buildProviderInfo(input({ asr: { installed: [ZIPFORMER], pending: [newer], supportsTranscriptStreaming: false } }));
  assert.deepEqual(
    info.asr?.[0]?.models.map((m) => [m.name, m.version]),
    [['zipformer-en', '2025']],
  );
});

test('a TTS program with no voice is listed as not installed, which HA skips instead of failing its entity', () => {
  const info = buildProviderInfo(input({ tts: { installed: [], supportsSynthesizeStreaming: true } }));
  infoSchema.parse(info);
  assert.equal(info.tts?.[0]?.name, 'speech-satellite-tts');
  assert.equal(info.tts?.[0]?.installed, false);
  assert.deepEqual(asHomeAssistant(info).platforms, ['stt', 'wake_word']);
  assert.equal(asHomeAssistant(info).name, 'speech-satellite-stt');
});

test('a disabled service is left out and the others keep their order', () => {
  const info = buildProviderInfo(input({ enabled: { asr: false, tts: true, wake: true } }));
  infoSchema.parse(info);
  assert.deepEqual(programNames(info), ['speech-satellite-tts', 'speech-satellite-wake']);
  assert.equal(asHomeAssistant(info).name, 'speech-satellite-tts');
  assert.deepEqual(buildProviderInfo(input({ enabled: { asr: false, tts: false, wake: false } })).asr, []);
});

test('the info does not share arrays with the listings it was built from', () => {
  const languages = ['en'];
  const info = buildProviderInfo(input({ asr: { installed: [{ ...ZIPFORMER, languages }], supportsTranscriptStreaming: false } }));
  languages.push('de');
  assert.deepEqual(info.asr?.[0]?.models[0]?.languages, ['en']);
});

test('every program, model and voice carries a version string: its own where it has one, else the daemon’s', () => {
  const info = buildProviderInfo(
    input({
      asr: { installed: [ZIPFORMER], pending: [{ ...ZIPFORMER, name: 'whisper', version: undefined }], supportsTranscriptStreaming: false },
      tts: { installed: [ESPEAK, PIPER], supportsSynthesizeStreaming: true },
      wake: { installed: [JARVIS, { ...JARVIS, name: 'alexa', version: '0.1' }] },
    }),
  );
  const programs: Array<{ name: string; version?: string | null | undefined; children: Array<{ name: string; version?: string | null | undefined }> }> = [
    ...(info.asr ?? []).map((p) => ({ ...p, children: p.models })),
    ...(info.tts ?? []).map((p) => ({ ...p, children: p.voices })),
    ...(info.wake ?? []).map((p) => ({ ...p, children: p.models })),
  ];
  const versions = programs.flatMap((p) => [[p.name, p.version], ...p.children.map((m) => [m.name, m.version])]);
  assert.deepEqual(Object.fromEntries(versions), {
    'speech-satellite-stt': '0.1.0',
    'zipformer-en': '2025',
    whisper: '0.1.0',
    'speech-satellite-tts': '0.1.0',
    'espeak-ng-en-us': '0.1.0',
    'en_US-lessac-medium': '1',
    'speech-satellite-wake': '0.1.0',
    hey_jarvis: '0.1.0',
    alexa: '0.1',
  });
});
