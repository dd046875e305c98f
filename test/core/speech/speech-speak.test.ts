import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PcmFormat } from '../../../src/audio/pcm.js';
import { SpeechService, type SpeakOptions } from '../../../src/core/speech/speech-service.js';
import type { TtsAudioSink } from '../../../src/core/speech/tts-reply.js';
import { TtsCache } from '../../../src/core/speech/tts-cache.js';
import { EspeakEngine } from '../../../src/engines/tts/espeak/espeak-engine.js';
import { createLogger } from '../../../src/util/logger.js';
import { hasCommand, need } from '../../helpers/system.js';

const log = createLogger({ level: 'silent' });

/** A speech service whose only voices are espeak-ng's en-us and de (the catalogue finds nothing else). */
async function espeakSpeech(options: { defaultVoice?: string; maxTextChars?: number; cache?: TtsCache } = {}): Promise<SpeechService> {
  const speech = new SpeechService({
    discover: async () => [
      {
        kind: 'tts',
        id: 'espeak-ng',
        key: 'espeak',
        preload: false,
        build: async () => (await EspeakEngine.create({ program: 'espeak-ng', languages: ['en-us', 'de'], preferred: 'en-us', maxConcurrent: 1, maxQueue: 2, log }))!,
      },
    ],
    settings: {
      stt: { defaultModel: null, maxUtteranceSeconds: 30, trimSilence: false, vad: { threshold: 0.5, minSilenceSeconds: 0.7, minSpeechSeconds: 0.25 } },
      tts: { defaultVoice: options.defaultVoice ?? null, maxTextChars: options.maxTextChars ?? 5000, speed: 1, samplesPerChunk: 1024, cache: options.cache },
      wake: { defaultModel: null },
    },
    log,
  });
  await speech.start();
  return speech;
}

/** All of a text's PCM at once, with the voice and format used. */
async function speakToPcm(speech: SpeechService, text: string, options: SpeakOptions = {}): Promise<{ voice: string; format: PcmFormat; pcm: Buffer }> {
  const parts: Buffer[] = [];
  let format: PcmFormat = { rate: 0, width: 0, channels: 0 };
  const sink: TtsAudioSink = { start: async (f) => void (format = f), chunk: async (pcm) => void parts.push(pcm), stop: async () => undefined };
  const choice = await speech.speak(text, sink, options);
  return { voice: choice.voice.name, format, pcm: Buffer.concat(parts) };
}

/**
 * eSpeak NG's library keeps some synthesis state between utterances (voicing phase and filters),
 * so the same sentence spoken twice is not byte-identical. The same speech means: the same length
 * within 1 %, and loudness envelopes (RMS per 20 ms) that correlate above 0.95.
 */
function sameSpeech(a: Buffer, b: Buffer, rate = 22050): boolean {
  if (Math.abs(a.length - b.length) > 0.01 * Math.max(a.length, b.length)) return false;
  const envelope = (pcm: Buffer): number[] => {
    const frame = Math.round(rate * 0.02);
    const out: number[] = [];
    for (let f = 0; (f + 1) * frame * 2 <= pcm.length; f++) {
      let sum = 0;
      for (let i = 0; i < frame; i++) sum += pcm.readInt16LE(2 * (f * frame + i)) ** 2;
      out.push(Math.sqrt(sum / frame));
    }
    return out;
  };
  const x = envelope(a);
  const y = envelope(b);
  const n = Math.min(x.length, y.length);
  const mean = (v: number[]) => v.slice(0, n).reduce((p, q) => p + q, 0) / n;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy) > 0.95;
}

test('a whole text becomes one stream of PCM at the voice rate, in sentence order', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const speech = await espeakSpeech();
  const events: string[] = [];
  const choice = await speech.speak('One. Two. Three.', {
    start: async (f) => void events.push(`start ${f.rate}`),
    chunk: async (pcm) => void events.push(pcm.length <= 1024 ? 'chunk' : 'too big'),
    stop: async () => void events.push('stop'),
  }, { samplesPerChunk: 512 });
  assert.equal(choice.voice.name, 'espeak-ng-en-us');
  assert.equal(events[0], 'start 22050');
  assert.equal(events.at(-1), 'stop');
  assert.ok(events.slice(1, -1).every((e) => e === 'chunk'));

  const three = await speakToPcm(speech, 'One. Two. Three.');
  const one = await speakToPcm(speech, 'One.');
  assert.deepEqual(three.format, { rate: 22050, width: 2, channels: 1 });
  assert.ok(three.pcm.length > 2 * one.pcm.length);
  assert.ok(sameSpeech(three.pcm.subarray(0, one.pcm.length), one.pcm), 'the first sentence comes first, unchanged');
  await speech.close();
});

test('markdown is cleaned before it is spoken: the same audio as the plain text', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const speech = await espeakSpeech();
  const plain = await speakToPcm(speech, 'The lights are on.');
  const marked = await speakToPcm(speech, '**The lights** are _on_.');
  assert.ok(sameSpeech(marked.pcm, plain.pcm), 'markup is not read aloud');
  await speech.close();
});

test('voice by language, the default voice, the cache and coded errors work as in the Wyoming service', async (t) => {
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng is not installed')) return;
  const cache = new TtsCache({ maxEntries: 4, maxBytes: 1 << 22 });
  const speech = await espeakSpeech({ cache, maxTextChars: 10 });
  assert.equal((await speakToPcm(speech, 'Guten Tag.', { voice: { language: 'de_DE' } })).voice, 'espeak-ng-de');
  const first = await speakToPcm(speech, 'Cached.');
  const second = await speakToPcm(speech, 'Cached.');
  assert.equal(cache.hits, 1);
  assert.ok(first.pcm.equals(second.pcm));
  await assert.rejects(speakToPcm(speech, ' '), { code: 'SAT_ERR_TTS_EMPTY_TEXT' });
  await assert.rejects(speakToPcm(speech, 'x'.repeat(11)), { code: 'SAT_ERR_TTS_TEXT_TOO_LONG' });
  await assert.rejects(speakToPcm(speech, 'Hi.', { voice: { name: 'nope' } }), { code: 'SAT_ERR_TTS_UNKNOWN_VOICE' });
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(speakToPcm(speech, 'Never.', { signal: abort.signal }), { code: 'SAT_ERR_CANCELLED' });
  await speech.close();
  const withDefault = await espeakSpeech({ defaultVoice: 'espeak-ng-de' });
  assert.equal((await speakToPcm(withDefault, 'Hallo.')).voice, 'espeak-ng-de');
  await withDefault.close();
});
