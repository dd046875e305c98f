import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { SpeechService } from '../../../src/core/speech/speech-service.js';
import { SttConversation } from '../../../src/core/speech/stt-conversation.js';
import { floatToInt16Bytes } from '../../../src/audio/pcm.js';
import { createLogger } from '../../../src/util/logger.js';
import { speechSettings } from '../../../src/wiring/speech.js';
import { CountingAsr, registry } from '../../adapters/http/fake-engines.js';

const MONO16 = { rate: 16_000, width: 2, channels: 1 };
const tone = floatToInt16Bytes(Float32Array.from({ length: 1600 }, (_, i) => 0.5 * Math.sin(i / 5)));

async function rig(streamingEvents = true) {
  const asr = new CountingAsr();
  const speech = new SpeechService({ discover: async () => registry([asr], []), settings: speechSettings(parseConfig({}, {})), log: createLogger({ level: 'silent' }) });
  await speech.start();
  const sent: string[] = [];
  const abort = new AbortController();
  const conversation = new SttConversation({
    speech,
    streamingEvents,
    endpointOnSilence: false,
    signal: abort.signal,
    output: {
      transcriptStart: async () => void sent.push('transcript-start'),
      transcriptChunk: async (text) => void sent.push(`transcript-chunk ${text}`),
      transcript: async (text) => void sent.push(`transcript ${text}`),
      transcriptStop: async () => void sent.push('transcript-stop'),
      error: async (_text, code) => void sent.push(`error ${code}`),
    },
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { asr, speech, sent, conversation, abort, settle };
}

test('a request streams partials, answers with the transcript, and goes back to idle', async () => {
  const r = await rig();
  r.conversation.transcribe({});
  await r.conversation.audioStart(MONO16);
  assert.equal(r.conversation.state, 'streaming');
  assert.equal(r.conversation.busy, true);
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.settle();
  assert.equal(r.conversation.state, 'idle');
  assert.deepEqual(
    r.sent.map((s) => s.split(' ')[0]),
    ['transcript-start', 'transcript-chunk', 'transcript', 'transcript-stop'],
  );
  await r.speech.close();
});

test('a refused request costs one error; the rest of its stream is ignored, and the next request is served', async () => {
  const r = await rig(false);
  r.conversation.transcribe({ name: 'no-such-model' });
  await r.conversation.audioStart(MONO16);
  for (let i = 0; i < 5; i++) await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.settle();
  assert.deepEqual(r.sent, ['error SAT_ERR_MODEL_NOT_FOUND']);
  assert.equal(r.asr.sessions.length, 0, 'no engine session was opened for it');
  r.conversation.transcribe({});
  await r.conversation.audioStart(MONO16);
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.settle();
  assert.match(r.sent.at(-1)!, /^transcript heard/);
  await r.speech.close();
});

test('audio before audio-start, a bad declared format, and audio-stop with no audio each get their one answer', async () => {
  const r = await rig(false);
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.conversation.audioStart({ rate: 16_000, width: 3, channels: 1 });
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.conversation.audioStop();
  await r.settle();
  assert.deepEqual(r.sent, ['error SAT_ERR_NO_AUDIO_START', 'error SAT_ERR_AUDIO_FORMAT', 'transcript ']);
  assert.equal(r.asr.sessions.length, 0);
  await r.speech.close();
});

test('a peer that leaves mid-stream closes the conversation: nothing more is answered or opened', async () => {
  const r = await rig(false);
  r.conversation.transcribe({});
  const opening = r.conversation.audioStart(MONO16);
  r.abort.abort();
  r.conversation.close();
  await opening;
  await r.conversation.audioChunk(MONO16, tone);
  await r.conversation.audioStop();
  await r.settle();
  assert.equal(r.conversation.state, 'closed');
  assert.deepEqual(r.sent, []);
  await r.speech.close();
});
