/**
 * The one place sherpa-onnx-node is loaded: the narrow surface this project uses (the package
 * ships no types), how to load it, and whether its native build can run CUDA.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionProvider } from '../types.js';

export interface SherpaWave {
  samples: Float32Array;
  sampleRate: number;
}

/** What a recogniser reports besides the text (empty arrays where the model family gives none). */
export interface SherpaTokenDetail {
  tokens?: string[];
  /** Token start times, seconds from the start of the stream. */
  timestamps?: number[];
}

export interface SherpaOfflineStream {
  acceptWaveform(wave: SherpaWave): void;
}

/** Used in a worker thread: decoding is synchronous (feature extraction has no async variant). */
export interface SherpaOfflineRecognizer {
  createStream(): SherpaOfflineStream;
  decode(stream: SherpaOfflineStream): void;
  getResult(stream: SherpaOfflineStream): SherpaTokenDetail & { text: string; lang?: string; ys_log_probs?: number[] };
  setConfig(config: Record<string, unknown>): void;
}

export interface SherpaOnlineStream {
  acceptWaveform(wave: SherpaWave): void;
  inputFinished(): void;
}

export interface SherpaOnlineRecognizer {
  createStream(): SherpaOnlineStream;
  isReady(stream: SherpaOnlineStream): boolean;
  decode(stream: SherpaOnlineStream): void;
  getResult(stream: SherpaOnlineStream): SherpaTokenDetail & { text: string; ys_probs?: number[] };
}

export interface SherpaStream {
  acceptWaveform(wave: SherpaWave): void;
}

/** Keyword spotting, used in a worker thread (synchronous like the recognisers). */
export interface SherpaSpotter {
  createStream(): SherpaStream;
  isReady(stream: SherpaStream): boolean;
  decode(stream: SherpaStream): void;
  reset(stream: SherpaStream): void;
  getResult(stream: SherpaStream): { keyword: string };
}

export interface SherpaGeneratedAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** Text-to-speech: the only sherpa object with an async API, so it runs on the main thread. */
export interface SherpaOfflineTts {
  readonly sampleRate: number;
  readonly numSpeakers: number;
  generateAsync(request: {
    text: string;
    sid: number;
    speed: number;
    onProgress?: (info: { samples: Float32Array; progress: number }) => number;
  }): Promise<SherpaGeneratedAudio>;
}

export interface SherpaModule {
  OfflineRecognizer: new (config: Record<string, unknown>) => SherpaOfflineRecognizer;
  OnlineRecognizer: new (config: Record<string, unknown>) => SherpaOnlineRecognizer;
  KeywordSpotter: new (config: unknown) => SherpaSpotter;
  OfflineTts: { createAsync(config: Record<string, unknown>): Promise<SherpaOfflineTts> };
}

const require = createRequire(import.meta.url);

export function loadSherpa(): SherpaModule {
  return require('sherpa-onnx-node') as SherpaModule;
}

/** True when the installed native package carries the CUDA execution provider. */
export function sherpaHasCuda(): boolean {
  try {
    const dir = path.dirname(require.resolve(`sherpa-onnx-${process.platform}-${process.arch}/package.json`));
    return existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** CUDA where asked for and available; otherwise CPU, with `warn` called once to say why. */
export function effectiveProvider(requested: ExecutionProvider, hasCuda: boolean, warn: (message: string) => void): ExecutionProvider {
  if (requested !== 'cuda' || hasCuda) return requested;
  warn('cuda requested but the installed sherpa-onnx native build has no CUDA provider; using cpu');
  return 'cpu';
}
