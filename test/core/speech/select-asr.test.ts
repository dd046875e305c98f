import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickAsr } from '../../../src/core/speech/select-asr.js';
import type { AsrEngine, AsrTask } from '../../../src/engines/asr/asr.js';

function engine(name: string, languages: string[], tasks?: AsrTask[]): AsrEngine {
  return {
    info: { name, description: name, languages, version: null, attribution: { name: '', url: '' }, backend: 'test', streaming: false, sampleRate: 16_000, tasks },
    loaded: false,
    createSession: () => Promise.reject(new Error('unused')),
    unload: async () => undefined,
    close: async () => undefined,
  };
}

const installed = [
  { id: 'en-folder', engine: engine('en-model', ['en']) },
  { id: 'zh-folder', engine: engine('zh-model', ['zh']) },
  { id: 'whisper-folder', engine: engine('whisper-multi', ['en', 'de', 'zh'], ['transcribe', 'translate']) },
];

test('a named model is used by its name, any letter case, or its folder; an unknown name is SAT_ERR_MODEL_NOT_FOUND', () => {
  assert.equal(pickAsr(installed, { name: 'zh-model' }, null).info.name, 'zh-model');
  assert.equal(pickAsr(installed, { name: 'ZH-Model' }, null).info.name, 'zh-model');
  assert.equal(pickAsr(installed, { name: 'zh-folder' }, null).info.name, 'zh-model');
  assert.throws(() => pickAsr(installed, { name: 'nope' }, null), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
});

test('without a name: the default when it fits, else the first in preference order that speaks the language and can do the task', () => {
  assert.equal(pickAsr(installed, {}, 'zh-model').info.name, 'zh-model');
  assert.equal(pickAsr(installed, {}, null).info.name, 'en-model');
  assert.equal(pickAsr(installed, { language: 'zh-CN' }, 'en-model').info.name, 'zh-model');
  assert.equal(pickAsr(installed, { language: 'en_US' }, null).info.name, 'en-model');
  assert.equal(pickAsr(installed, { language: 'de' }, null).info.name, 'whisper-multi');
  assert.equal(pickAsr(installed, { task: 'translate' }, 'en-model').info.name, 'whisper-multi');
});

test('what no model can do is a coded error naming the reason', () => {
  assert.throws(() => pickAsr(installed, { name: 'en-model', language: 'fr' }, null), { code: 'SAT_ERR_UNSUPPORTED_LANGUAGE' });
  assert.throws(() => pickAsr(installed, { language: 'fr' }, null), { code: 'SAT_ERR_UNSUPPORTED_LANGUAGE' });
  assert.throws(() => pickAsr(installed, { name: 'zh-model', task: 'translate' }, null), { code: 'SAT_ERR_UNSUPPORTED_TASK' });
  assert.throws(() => pickAsr(installed.slice(0, 2), { task: 'translate' }, null), { code: 'SAT_ERR_UNSUPPORTED_TASK' });
  assert.throws(() => pickAsr([], {}, null), { code: 'SAT_ERR_MODEL_NOT_FOUND' });
});
