/**
 * The backend registry: every engine family the daemon can run, and (with the composition root)
 * the only place that names concrete backends. A new backend is one folder under
 * engines/<kind>/ plus one line here.
 *
 * Discovery reads each model folder once. A folder may serve several kinds (a zipformer keyword
 * spotter is also a streaming recogniser), but within a kind the first family that recognises it
 * claims it, and text-to-speech never claims a folder that a recogniser, wake or VAD family
 * recognised: an `.onnx` beside a `tokens.txt` is also what every recogniser looks like.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../util/logger.js';
import type { AsrEngine } from './asr/asr.js';
import { detectAsrFolder, makeSpec } from './asr/model-discovery.js';
import type { AsrFamily, AsrModelSpec } from './asr/model-spec.js';
import { SherpaOfflineEngine } from './asr/sherpa-offline/sherpa-offline.js';
import { SherpaOnlineEngine } from './asr/sherpa-online/sherpa-online.js';
import { VoskEngine, voskSampleRate } from './asr/vosk/vosk.js';
import { EspeakEngine, type EspeakOptions } from './tts/espeak/espeak-engine.js';
import { KokoroEngine, findKokoroFiles, readKokoro, type KokoroFiles } from './tts/kokoro/kokoro-engine.js';
import { PiperEngine, findPiperFiles, isRawPiperVoice, readPiperVoice, type PiperVoiceFiles } from './tts/piper/piper-engine.js';
import type { TtsEngine } from './tts/tts.js';
import type { EngineRuntimeOptions } from './types.js';
import { SileroVadFactory, type SileroDefaults } from './vad/silero/silero.js';
import { sileroIn } from './vad/silero/silero-discovery.js';
import type { VadFactory } from './vad/vad.js';
import { OpenWakeWordEngine, type OpenWakeWordOptions } from './wake/openwakeword/openwakeword.js';
import { findOpenWakeWordFolder, type OwwFolder } from './wake/openwakeword/openwakeword-files.js';
import { KwsEngine, type KwsEngineOptions } from './wake/sherpa-kws/sherpa-kws.js';
import { findKwsFolder, type KwsFolder } from './wake/sherpa-kws/kws-files.js';
import type { WakeEngine } from './wake/wake.js';

/** ASR: the family a folder's files reveal → the engine that runs it. */
const ASR_BACKENDS: Record<AsrFamily, (spec: AsrModelSpec, runtime: EngineRuntimeOptions, voskLibrary: string | null) => AsrEngine> = {
  'streaming-transducer': (spec, runtime) => new SherpaOnlineEngine({ spec, runtime }),
  transducer: (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  'nemo-transducer': (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  whisper: (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  moonshine: (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  'sense-voice': (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  paraformer: (spec, runtime) => new SherpaOfflineEngine({ spec, runtime }),
  vosk: (spec, runtime, voskLibrary) => new VoskEngine({ spec, runtime: { ...runtime, provider: 'cpu' } }, voskLibrary),
};

/** Families that need a library of their own rather than sherpa-onnx (they never run on CUDA). */
export const CPU_ONLY_ASR: ReadonlySet<AsrFamily> = new Set(['vosk']);

export function createAsrEngine(spec: AsrModelSpec, runtime: EngineRuntimeOptions, voskLibrary: string | null): AsrEngine {
  return ASR_BACKENDS[spec.family](spec, runtime, voskLibrary);
}

/** The rate an ASR model takes, read from its folder where the family says so. */
export async function asrSampleRate(spec: AsrModelSpec): Promise<number> {
  return spec.family === 'vosk' ? voskSampleRate(spec.dir) : spec.sampleRate;
}

export function createVad(name: string, file: string, defaults: SileroDefaults, runtime: EngineRuntimeOptions): VadFactory {
  return new SileroVadFactory(name, file, defaults, runtime);
}

export function createEspeak(options: EspeakOptions): Promise<TtsEngine | null> {
  return EspeakEngine.create(options);
}

export type TtsFound = { family: 'kokoro'; files: KokoroFiles } | { family: 'piper'; files: PiperVoiceFiles };

/** Reads a voice folder's metadata and builds its engine; voice names already `taken` get a prefix. */
export async function createTtsEngine(found: TtsFound, runtime: EngineRuntimeOptions, log: Logger, taken: ReadonlySet<string>): Promise<TtsEngine> {
  if (found.family === 'piper') {
    const spec = await readPiperVoice(found.files);
    if (taken.has(spec.name)) spec.name = `${path.basename(path.dirname(spec.model))}-${spec.name}`;
    return new PiperEngine(spec, runtime, log);
  }
  const spec = await readKokoro(found.files);
  return new KokoroEngine(spec, runtime, log, (speaker) => (taken.has(speaker) ? `${spec.name}-${speaker}` : speaker));
}

export type WakeFound = { family: 'openwakeword'; folder: OwwFolder } | { family: 'kws'; folder: KwsFolder };

export function createOpenWakeWord(options: OpenWakeWordOptions): WakeEngine {
  return new OpenWakeWordEngine(options);
}

export function createKeywordSpotter(options: KwsEngineOptions): KwsEngine {
  return new KwsEngine(options);
}

/** What one model folder holds, per kind. */
export interface FolderFindings {
  dir: string;
  /** The folder's name: the model's id. */
  name: string;
  asr?: AsrModelSpec;
  vad?: string;
  wake?: WakeFound;
  tts?: TtsFound;
  /** A Piper voice that still needs `satellite models import-piper` (told once, not built). */
  rawPiper?: boolean;
}

/** Every model folder directly under `modelsDir` (sorted, hidden ones skipped), with what each holds. */
export async function scanModelFolders(modelsDir: string, espeakData: string | null): Promise<FolderFindings[]> {
  let names: string[];
  try {
    names = (await readdir(modelsDir, { withFileTypes: true }))
      .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    return []; // no models folder yet: nothing installed
  }
  const out: FolderFindings[] = [];
  for (const name of names) {
    const dir = path.join(modelsDir, name);
    const findings: FolderFindings = { dir, name };
    const asr = await detectAsrFolder(dir);
    if (asr) findings.asr = makeSpec(name, dir, asr, 'discovered');
    const vad = await sileroIn(dir);
    if (vad) findings.vad = vad;
    const oww = findOpenWakeWordFolder(dir);
    const kws = oww ? undefined : findKwsFolder(dir);
    if (oww) findings.wake = { family: 'openwakeword', folder: oww };
    else if (kws) findings.wake = { family: 'kws', folder: kws };
    if (!findings.asr && !findings.vad && !findings.wake) {
      const kokoro = findKokoroFiles(dir, espeakData);
      const piper = kokoro ? null : findPiperFiles(dir, espeakData);
      if (kokoro) findings.tts = { family: 'kokoro', files: kokoro };
      else if (piper) findings.tts = { family: 'piper', files: piper };
      else if (isRawPiperVoice(dir)) findings.rawPiper = true;
    }
    out.push(findings);
  }
  return out;
}
