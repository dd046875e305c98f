import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { floatToInt16Bytes, pcmToFloatMono } from '../../../src/audio/pcm.js';
import { SttSession } from '../../../src/core/speech/stt-session.js';
import { trimToSpeech, TRIM_PAD_SECONDS } from '../../../src/core/speech/stt-audio.js';
import type { AsrEngine, AsrResult } from '../../../src/engines/asr/asr.js';
import { discoverAsrModels } from '../../../src/engines/asr/model-discovery.js';
import { SherpaOnlineEngine } from '../../../src/engines/asr/sherpa-online/sherpa-online.js';
import { SileroVadFactory } from '../../../src/engines/vad/silero/silero.js';
import { need, sharedModel } from '../../helpers/system.js';
import { ZIPFORMER, clipSamples, hasSilero, hasZipformer } from '../../helpers/stt-fixtures.js';
import { readClip } from '../../helpers/clips.js';
import { wer } from '../../helpers/wer.js';

const RUNTIME = { provider: 'cpu' as const, numThreads: 1, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
const MIN_SILENCE = 0.7;
/** The bound: finalised within the configured silence plus 100 ms of audio time. */
const ENDPOINT_SLACK = 0.1;
const PAD_SECONDS = 2;
const CHUNK_SECONDS = 0.1;
const F16 = { rate: 16_000, width: 2, channels: 1 };
const REF = 'HE COULD WAIT NO LONGER';

describe('speech-to-text session with the real zipformer and Silero VAD', () => {
  let engine: SherpaOnlineEngine | undefined;
  let vad: SileroVadFactory | undefined;
  const available = () => hasZipformer() && hasSilero();

  const setUp = async () => {
    if (engine) return;
    const spec = (await discoverAsrModels(sharedModel())).find((s) => s.name === ZIPFORMER)!;
    engine = new SherpaOnlineEngine({ spec, runtime: RUNTIME });
    vad = new SileroVadFactory('silero', sharedModel('silero-vad', 'silero_vad.onnx'), { threshold: 0.5, minSilenceSeconds: MIN_SILENCE, minSpeechSeconds: 0.25 }, RUNTIME);
  };
  after(async () => {
    await engine?.close();
    await vad?.close();
  });

  const open = (endpointOnSilence: boolean, maxUtteranceSeconds = 30) =>
    SttSession.open({ engine: engine!, vad, vadSettings: { threshold: 0.5, minSilenceSeconds: MIN_SILENCE, minSpeechSeconds: 0.25 }, maxUtteranceSeconds, endpointOnSilence, trimSilence: true });

  test('a clip padded with 2 s of silence is finalised by endpointing within the silence plus 100 ms', async (t) => {
    if (!need(t, available(), 'shared zipformer or Silero model missing')) return;
    await setUp();
    const speech = clipSamples('librispeech-1089-134691-0000.wav');
    // Where speech ends, by the same VAD called on the clip alone.
    const probe = await vad!.createStream({});
    await probe.accept(speech);
    await probe.flush();
    const speechEnd = probe.segments.at(-1)!.end;
    probe.close();

    const padded = new Float32Array(speech.length + PAD_SECONDS * 16_000);
    padded.set(speech);
    const pcm = floatToInt16Bytes(padded);
    const session = await open(true);
    const step = CHUNK_SECONDS * 16_000 * 2;
    let fedWhenEnded: number | undefined;
    for (let at = 0; at < pcm.length; at += step) {
      await session.push(pcm.subarray(at, at + step), F16);
      if (session.endpointed) {
        fedWhenEnded = (at + step) / 2 / 16_000;
        break;
      }
    }
    assert.ok(fedWhenEnded !== undefined, 'endpointing never fired');
    const endpointAt = session.endpointAt!;
    process.stdout.write(`# speech ends ${speechEnd.toFixed(3)} s, endpoint at ${endpointAt.toFixed(3)} s of audio\n`);
    assert.ok(endpointAt > speechEnd, 'ended before the speech did');
    assert.ok(endpointAt <= speechEnd + MIN_SILENCE + ENDPOINT_SLACK, `endpoint ${endpointAt} vs speech end ${speechEnd}`);
    assert.ok(fedWhenEnded! <= endpointAt + CHUNK_SECONDS + 1e-9);
    const outcome = await session.finish();
    assert.ok(wer(REF, outcome.text) <= 0.25, outcome.text);
  });

  test('without endpointing the session runs to the end of the audio', async (t) => {
    if (!need(t, available(), 'shared zipformer or Silero model missing')) return;
    await setUp();
    const session = await open(false);
    const speech = floatToInt16Bytes(clipSamples('librispeech-1089-134691-0000.wav'));
    await session.push(speech, F16);
    await session.push(Buffer.alloc(PAD_SECONDS * 32_000), F16);
    assert.equal(session.endpointed, false);
    const outcome = await session.finish();
    assert.ok(Math.abs(outcome.audioSeconds - (speech.length / 32_000 + PAD_SECONDS)) < 0.01);
  });

  test('8-bit and 32-bit input give the same words as 16-bit', async (t) => {
    if (!need(t, available(), 'shared zipformer or Silero model missing')) return;
    await setUp();
    const wav = readClip('librispeech-1089-134691-0000.wav');
    const mono = pcmToFloatMono(wav.pcm, wav.format);
    const w1 = Buffer.from(mono.map((v) => Math.round(v * 127 + 128)));
    const w4 = Buffer.alloc(mono.length * 4);
    mono.forEach((v, i) => w4.writeInt32LE(Math.round(v * 2147483647), i * 4));
    for (const [bytes, width] of [[w1, 1], [w4, 4]] as const) {
      const session = await open(false);
      await session.push(bytes, { rate: 16_000, width, channels: 1 });
      const { text } = await session.finish();
      assert.ok(wer(REF, text) <= 0.25, `width ${width}: ${text}`);
    }
  });

  test('audio past the maximum utterance length is refused with SAT_ERR_UTTERANCE_TOO_LONG', async (t) => {
    if (!need(t, available(), 'shared zipformer or Silero model missing')) return;
    await setUp();
    const session = await open(false, 1);
    await session.push(Buffer.alloc(16_000), F16);
    await assert.rejects(session.push(Buffer.alloc(32_000), F16), { code: 'SAT_ERR_UTTERANCE_TOO_LONG' });
    session.cancel();
  });
});

/** A recording engine for the offline path's logic (what reaches the engine), not for accuracy. */
function recordingEngine(): { engine: AsrEngine; fed: () => number } {
  let fed = 0;
  const engine: AsrEngine = {
    info: { name: 'rec', description: '', languages: ['en'], version: null, attribution: { name: '', url: '' }, backend: 'test', streaming: false, sampleRate: 16_000 },
    loaded: true,
    createSession: async () => ({
      accept: (s) => {
        fed += s.length;
      },
      finish: async (): Promise<AsrResult> => ({ text: 'ok' }),
      cancel: () => undefined,
    }),
    unload: async () => undefined,
    close: async () => undefined,
  };
  return { engine, fed: () => fed };
}

test('offline decoding gets the audio trimmed to the speech VAD found', async (t) => {
  if (!need(t, hasSilero(), 'shared Silero model missing')) return;
  const vad = new SileroVadFactory('silero', sharedModel('silero-vad', 'silero_vad.onnx'), { threshold: 0.5, minSilenceSeconds: 0.5, minSpeechSeconds: 0.25 }, RUNTIME);
  const speech = clipSamples('librispeech-1089-134691-0000.wav');
  const padded = new Float32Array(speech.length + 4 * 16_000);
  padded.set(speech, 2 * 16_000);
  const { engine, fed } = recordingEngine();
  const session = await SttSession.open({ engine, vad, maxUtteranceSeconds: 30, endpointOnSilence: false, trimSilence: true });
  await session.push(floatToInt16Bytes(padded), F16);
  await session.finish();
  await vad.close();
  const kept = fed() / 16_000;
  assert.ok(kept < padded.length / 16_000 - 3, `kept ${kept} s of ${padded.length / 16_000}`);
  assert.ok(kept >= speech.length / 16_000 - 0.5, `kept ${kept} s, speech is ${speech.length / 16_000}`);
});

test('trimming keeps padding around the speech and keeps everything when VAD heard nothing', () => {
  const audio = new Float32Array(10 * 16_000);
  assert.equal(trimToSpeech(audio, 16_000, []).length, audio.length);
  const cut = trimToSpeech(audio, 16_000, [{ start: 2, end: 3 }, { start: 5, end: 6 }]);
  assert.equal(cut.length, Math.round((6 - 2 + 2 * TRIM_PAD_SECONDS) * 16_000));
});
