import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SherpaOfflineEngine } from '../../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import { VoskEngine } from '../../../src/engines/asr/vosk/vosk.js';
import { detectAsrFolder, makeSpec } from '../../../src/engines/asr/model-discovery.js';
import type { EngineRuntimeOptions } from '../../../src/engines/types.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { need } from '../../helpers/system.js';
import { realModel } from '../../helpers/real-models.js';
import { testVoskLibrary } from '../../helpers/vosk.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { clipAs, clipSamples, clips, hasZipformer } from '../../helpers/stt-fixtures.js';
import { corpusWer } from '../../helpers/wer.js';

const WHISPER = 'whisper-tiny.en';
const VOSK = 'vosk-small-en-us';
/** Same clips, same audio: the Wyoming path may differ from the engine by at most one WER point. */
const SAME_AUDIO_TOLERANCE = 0.01;
/** Measured here: Whisper tiny.en 6.5%, Vosk small en-us 9.2% on the ten clips of trans.txt. */
const WHISPER_WER_LIMIT = 0.1;
const VOSK_WER_LIMIT = 0.15;
const THREADS = 2;
const RUNTIME: EngineRuntimeOptions = { provider: 'cpu', numThreads: THREADS, idleUnloadSeconds: 0, maxQueue: 4, preload: false };
const TRANSCRIPT_TIMEOUT_MS = 60_000;

type Pair = { reference: string; hypothesis: string };

/** Every reference clip through the daemon as Home Assistant sends it: 16-bit PCM in 100 ms chunks. */
async function overWyoming(port: number, model: string): Promise<{ pairs: Pair[]; rtf: number }> {
  const pairs: Pair[] = [];
  let audioSeconds = 0;
  const started = performance.now();
  for (const clip of clips()) {
    const { pcm, format } = clipAs(clip.file, 16_000, 1);
    audioSeconds += pcm.length / 2 / 16_000;
    const client = await WyomingTestClient.connect(port);
    try {
      client.send('transcribe', { name: model, language: 'en' });
      sendAudio(client, pcm, format);
      const transcript = await client.waitForType('transcript', TRANSCRIPT_TIMEOUT_MS);
      pairs.push({ reference: clip.reference, hypothesis: String(transcript.data['text']) });
    } finally {
      client.close();
    }
  }
  return { pairs, rtf: (performance.now() - started) / 1000 / audioSeconds };
}

function report(label: string, direct: number, wyoming: { pairs: Pair[]; rtf: number }): number {
  const score = corpusWer(wyoming.pairs);
  process.stdout.write(
    `# ${label}: WER ${(score * 100).toFixed(1)}% over Wyoming, ${(direct * 100).toFixed(1)}% from the engine directly, ` +
      `on ${wyoming.pairs.length} clips; Wyoming RTF ${wyoming.rtf.toFixed(3)} (${THREADS} threads)\n`,
  );
  return score;
}

describe('Wyoming asr service with real models from the registries', { concurrency: false }, () => {
  const whisper = realModel('whisper');
  const vosk = realModel('vosk');
  const lib = testVoskLibrary();
  let daemon: TestDaemon | undefined;
  let modelsDir: string | undefined;

  before(async () => {
    if (!whisper.dir || !vosk.dir || !lib.path || !hasZipformer()) return;
    modelsDir = mkdtempSync(path.join(os.tmpdir(), 'real-asr-models-'));
    daemon = await startTestDaemon({
      models_dir: modelsDir,
      stt: {
        default_model: WHISPER,
        vosk_library: lib.path,
        models: [
          { name: WHISPER, path: whisper.dir },
          { name: VOSK, path: vosk.dir },
        ],
      },
      engine: { idle_unload_s: 0, num_threads: THREADS },
    });
  });
  after(async () => {
    await daemon?.stop();
    if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
  });

  test('Whisper tiny.en: the WER of the shared clips over Wyoming equals the engine’s on the same audio within one point', async (t) => {
    if (!need(t, whisper.dir !== undefined, whisper.reason)) return;
    if (!need(t, hasZipformer(), 'shared test clips missing')) return;
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    const detected = await detectAsrFolder(whisper.dir!);
    const engine = new SherpaOfflineEngine({ spec: makeSpec(WHISPER, whisper.dir!, detected!, 'config'), runtime: RUNTIME });
    const direct: Pair[] = [];
    try {
      for (const clip of clips()) direct.push({ reference: clip.reference, hypothesis: (await engine.decode(clipSamples(clip.file), 'en')).text });
    } finally {
      await engine.close();
    }
    const directScore = corpusWer(direct);
    const score = report('Whisper tiny.en', directScore, await overWyoming(daemon!.providerPort, WHISPER));
    assert.ok(Math.abs(score - directScore) <= SAME_AUDIO_TOLERANCE, `Wyoming ${score} vs engine ${directScore}`);
    assert.ok(score <= WHISPER_WER_LIMIT, `WER ${score}`);
  });

  test('Vosk small en-us: the WER of the shared clips over Wyoming equals the engine’s on the same audio within one point', async (t) => {
    if (!need(t, vosk.dir !== undefined, vosk.reason)) return;
    if (!need(t, hasZipformer(), 'shared test clips missing')) return;
    if (!need(t, lib.path !== undefined, lib.reason ?? '')) return;
    const detected = await detectAsrFolder(vosk.dir!);
    const engine = new VoskEngine({ spec: makeSpec(VOSK, vosk.dir!, detected!, 'config'), runtime: RUNTIME }, lib.path!);
    const direct: Pair[] = [];
    try {
      for (const clip of clips()) {
        const session = await engine.createSession({});
        const samples = clipSamples(clip.file);
        for (let at = 0; at < samples.length; at += 1600) session.accept(samples.subarray(at, at + 1600));
        direct.push({ reference: clip.reference, hypothesis: (await session.finish()).text });
      }
    } finally {
      await engine.close();
    }
    const directScore = corpusWer(direct);
    const score = report('Vosk small en-us', directScore, await overWyoming(daemon!.providerPort, VOSK));
    assert.ok(Math.abs(score - directScore) <= SAME_AUDIO_TOLERANCE, `Wyoming ${score} vs engine ${directScore}`);
    assert.ok(score <= VOSK_WER_LIMIT, `WER ${score}`);
  });
});
