/** What the ASR backends need to know about one installed model (found on disk or named in config). */
import type { AsrModelInfo, AsrTask } from './asr.js';
import type { EngineRuntimeOptions } from '../types.js';

export type AsrFamily =
  | 'streaming-transducer'
  | 'transducer'
  | 'nemo-transducer'
  | 'whisper'
  | 'moonshine'
  | 'sense-voice'
  | 'paraformer'
  | 'vosk';

/** Preference when several models are installed and the config names no default (lower first). */
export const FAMILY_RANK: Record<AsrFamily, number> = {
  'nemo-transducer': 0,
  whisper: 1,
  'sense-voice': 2,
  moonshine: 3,
  transducer: 4,
  paraformer: 5,
  'streaming-transducer': 6,
  vosk: 7,
};

/** Model files by role: encoder, decoder, joiner, tokens, model, preprocessor, uncachedDecoder, cachedDecoder, mergedDecoder. */
export type AsrFiles = Partial<Record<'encoder' | 'decoder' | 'joiner' | 'tokens' | 'model' | 'preprocessor' | 'uncachedDecoder' | 'cachedDecoder' | 'mergedDecoder', string>>;

export interface AsrModelSpec {
  /** Stable name shown in `info` (the folder name, or the config entry's name). */
  name: string;
  family: AsrFamily;
  /** The model folder. */
  dir: string;
  files: AsrFiles;
  /** Languages as ISO 639-1 codes (`en`, `zh`, …). */
  languages: string[];
  /** Whisper: language to force (empty = detect) and task. */
  language?: string | undefined;
  task?: 'transcribe' | 'translate' | undefined;
  /** Vosk: phrases that restrict recognition (command grammar). */
  grammar?: string[] | undefined;
  /** Rate the model takes. */
  sampleRate: number;
  description: string;
  attribution: { name: string; url: string };
  /** Where it came from, for logs. */
  source: 'discovered' | 'config';
}

export interface AsrBackendOptions {
  spec: AsrModelSpec;
  runtime: EngineRuntimeOptions;
}

export const K2_ATTRIBUTION = { name: 'k2-fsa', url: 'https://github.com/k2-fsa/sherpa-onnx' };
export const WHISPER_ATTRIBUTION = { name: 'OpenAI', url: 'https://github.com/openai/whisper' };
export const VOSK_ATTRIBUTION = { name: 'Alpha Cephei', url: 'https://alphacephei.com/vosk/' };

/** What `info` says about a model, from its spec; `backend`, streaming and tasks differ per engine. */
export function asrModelInfo(spec: AsrModelSpec, backend: string, streaming: boolean, tasks: readonly AsrTask[] = ['transcribe']): AsrModelInfo {
  return {
    name: spec.name,
    description: spec.description,
    languages: spec.languages,
    version: null,
    attribution: spec.attribution,
    backend,
    streaming,
    sampleRate: spec.sampleRate,
    tasks,
  };
}
