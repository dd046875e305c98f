import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickAsrEngine } from '../../src/core/stt-select.js';
import type { AsrEngine } from '../../src/engines/asr/asr.js';

function engine(name: string, languages: string[]): AsrEngine {
  return {
    info: { name, description: name, languages, version: null, attribution: { name: '', url: '' }, backend: 'test', streaming: false, sampleRate: 16_000 },
    loaded: false,
    createSession: () => Promise.reject(new Error('unused')),
    unload: async () => undefined,
    close: async () => undefined,
  };
}

const engines = new Map([
  ['en-model', engine('en-model', ['en'])],
  ['zh-model', engine('zh-model', ['zh'])],
]);

test('a named model is used and an unknown name is SAT_ERR_MODEL_NOT_FOUND', () => {
  assert.equal(pickAsrEngine(engines, { name: 'zh-model', defaultModel: null }).info.name, 'zh-model');
  assert.throws(() => pickAsrEngine(engines, { name: 'nope', defaultModel: null }), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
});

test('without a name the default is used, else the first model speaking the language', () => {
  assert.equal(pickAsrEngine(engines, { defaultModel: 'zh-model' }).info.name, 'zh-model');
  assert.equal(pickAsrEngine(engines, { defaultModel: null }).info.name, 'en-model');
  assert.equal(pickAsrEngine(engines, { defaultModel: 'en-model', language: 'zh-CN' }).info.name, 'zh-model');
  assert.equal(pickAsrEngine(engines, { defaultModel: null, language: 'en_US' }).info.name, 'en-model');
});

test('a language no chosen model speaks is SAT_ERR_UNSUPPORTED_LANGUAGE', () => {
  assert.throws(() => pickAsrEngine(engines, { name: 'en-model', language: 'fr', defaultModel: null }), { code: 'SAT_ERR_UNSUPPORTED_LANGUAGE' });
  assert.throws(() => pickAsrEngine(engines, { language: 'fr', defaultModel: null }), { code: 'SAT_ERR_UNSUPPORTED_LANGUAGE' });
  assert.throws(() => pickAsrEngine(new Map(), { defaultModel: null }), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
});
