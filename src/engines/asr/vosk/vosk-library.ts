/**
 * libvosk through koffi. The library is looked for at the configured path, then in the optional
 * `vosk` npm package (which ships a linux-x86_64 build), then on the system library path. Every
 * call that does real work goes through koffi's `.async` so it runs off the main thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SatelliteError, errorMessage } from '../../../util/errors.js';

const require = createRequire(import.meta.url);

/** Kaldi's log level: below 0 hides its info lines, errors still print. */
const VOSK_LOG_LEVEL = -1;

export const VOSK_LIBRARY_HELP =
  'set stt.vosk_library to a libvosk.so, or run `npm install --no-save --ignore-scripts vosk` (ships linux-x86_64 only); ' +
  'on arm64 (Raspberry Pi, Jetson) take libvosk.so from the vosk Python wheel for aarch64 (pip download vosk) or build it from https://github.com/alphacep/vosk-api';

type Callback<T> = (err: unknown, value: T) => void;
interface AsyncFn<A extends unknown[], R> {
  (...args: A): R;
  async(...args: [...A, Callback<R>]): void;
}

export type Pointer = object;

export interface VoskApi {
  readonly path: string;
  modelNew: AsyncFn<[string], Pointer | null>;
  modelFree: AsyncFn<[Pointer], void>;
  recognizerNew: AsyncFn<[Pointer, number], Pointer | null>;
  recognizerNewGrammar: AsyncFn<[Pointer, number, string], Pointer | null>;
  /** 1: results carry each word with its start, end and confidence. */
  setWords: AsyncFn<[Pointer, number], void>;
  acceptWaveform: AsyncFn<[Pointer, Float32Array, number], number>;
  result: AsyncFn<[Pointer], string>;
  partialResult: AsyncFn<[Pointer], string>;
  finalResult: AsyncFn<[Pointer], string>;
  recognizerFree: AsyncFn<[Pointer], void>;
}

/** Runs a koffi function on its worker pool. */
export function callAsync<A extends unknown[], R>(fn: AsyncFn<A, R>, ...args: A): Promise<R> {
  return new Promise((resolve, reject) => fn.async(...args, (err: unknown, value: R) => (err ? reject(err) : resolve(value))));
}

/** Library paths to try, in order. */
export function voskLibraryCandidates(configured: string | null | undefined): string[] {
  if (configured) return [configured];
  const out: string[] = [];
  if (process.platform === 'linux' && process.arch === 'x64') {
    try {
      out.push(path.join(path.dirname(require.resolve('vosk/package.json')), 'lib', 'linux-x86_64', 'libvosk.so'));
    } catch {
      // the optional package is not installed
    }
  }
  out.push('libvosk.so');
  return out;
}

let cached: VoskApi | undefined;
let typesDefined = false;

function defineTypes(koffi: typeof import('koffi')): void {
  if (typesDefined) return;
  koffi.opaque('VoskModel');
  koffi.opaque('VoskRecognizer');
  typesDefined = true;
}

/** Loads libvosk once; SAT_ERR_VOSK_LIBRARY (with where to get one) when none loads. */
export function loadVosk(configured?: string | null): VoskApi {
  if (cached && (!configured || cached.path === configured)) return cached;
  const koffi = require('koffi') as typeof import('koffi');
  const failures: string[] = [];
  for (const candidate of voskLibraryCandidates(configured)) {
    if (candidate.includes('/') && !existsSync(candidate)) {
      failures.push(`${candidate}: not found`);
      continue;
    }
    try {
      const lib = koffi.load(candidate);
      defineTypes(koffi);
      const fn = (sig: string) => lib.func(sig) as never;
      (fn('void vosk_set_log_level(int level)') as (l: number) => void)(VOSK_LOG_LEVEL);
      cached = {
        path: candidate,
        modelNew: fn('VoskModel *vosk_model_new(const char *model_path)'),
        modelFree: fn('void vosk_model_free(VoskModel *model)'),
        recognizerNew: fn('VoskRecognizer *vosk_recognizer_new(VoskModel *model, float sample_rate)'),
        recognizerNewGrammar: fn('VoskRecognizer *vosk_recognizer_new_grm(VoskModel *model, float sample_rate, const char *grammar)'),
        setWords: fn('void vosk_recognizer_set_words(VoskRecognizer *recognizer, int words)'),
        acceptWaveform: fn('int vosk_recognizer_accept_waveform_f(VoskRecognizer *recognizer, const float *data, int length)'),
        result: fn('const char *vosk_recognizer_result(VoskRecognizer *recognizer)'),
        partialResult: fn('const char *vosk_recognizer_partial_result(VoskRecognizer *recognizer)'),
        finalResult: fn('const char *vosk_recognizer_final_result(VoskRecognizer *recognizer)'),
        recognizerFree: fn('void vosk_recognizer_free(VoskRecognizer *recognizer)'),
      };
      return cached;
    } catch (err) {
      failures.push(`${candidate}: ${errorMessage(err)}`);
    }
  }
  throw new SatelliteError('SAT_ERR_VOSK_LIBRARY', `libvosk could not be loaded (${failures.join('; ')}); ${VOSK_LIBRARY_HELP}`);
}
