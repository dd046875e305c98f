/**
 * Speech-to-text engine contract. One engine instance = one installed model; the daemon keeps
 * them in `ctx.engines.asr` (name → engine, in preference order). Usage: `createSession()`, then
 * `accept()` float32 mono samples at `info.sampleRate` as they arrive, then `finish()` for the
 * final text (or `cancel()`). Streaming engines report partial text through `onPartial`.
 * Sessions load the model lazily and share it; concurrent sessions are bounded per engine
 * (SAT_ERR_ENGINE_BUSY past the bound).
 */
import type { ModelInfo } from '../types.js';

export interface AsrModelInfo extends ModelInfo {
  /** Backend id, e.g. `sherpa-online`, `sherpa-offline`, `vosk`. */
  backend: string;
  /** True when partial results arrive while audio streams in. */
  streaming: boolean;
  /** Rate the engine wants its float32 mono samples at. */
  sampleRate: number;
  /** Tasks besides plain transcription; a multilingual Whisper lists 'translate' (into English). */
  tasks?: ReadonlyArray<AsrTask> | undefined;
  /** False when results never carry word times (Whisper through sherpa-onnx reports no token times). */
  wordTimes?: boolean | undefined;
}

export type AsrTask = 'transcribe' | 'translate';

/** The code `info.languages` lists for a request's language: `en-US` → `en`; `yue` stays `yue`. */
export function baseLanguage(language: string): string {
  return language.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

export interface AsrWord {
  word: string;
  start: number;
  end: number;
}

/** One token of a decoded text, as far as the engine reports it. */
export interface AsrToken {
  /** The token's text; a leading space starts a new word. */
  text: string;
  /** Id in the model's token table. */
  id?: number | undefined;
  /** Seconds from the start of the session's audio. */
  start?: number | undefined;
  /** Natural log of the token's probability. */
  logprob?: number | undefined;
}

export interface AsrResult {
  text: string;
  language?: string | undefined;
  /** Word times (seconds from the start of the session's audio), when the engine knows them. */
  words?: AsrWord[] | undefined;
  /** The tokens behind `text`, when the engine reports them. */
  tokens?: AsrToken[] | undefined;
}

export interface AsrSessionOptions {
  language?: string | undefined;
  /** Called with the full partial text whenever it changes (streaming engines only). */
  onPartial?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** 'translate' asks an engine whose info lists it for English text; default 'transcribe'. */
  task?: AsrTask | undefined;
}

export interface AsrSession {
  /**
   * Feed float32 mono samples at `info.sampleRate`. An engine that decodes while audio streams
   * returns a promise that resolves once it has room for more: await it before the next call (and
   * before `finish`) so a fast sender is held back instead of queued without bound.
   */
  accept(samples: Float32Array): void | Promise<void>;
  /** No more audio: resolves with the final transcript and frees the session. */
  finish(): Promise<AsrResult>;
  /** Abandon the session and free its resources. */
  cancel(): void;
}

export interface AsrEngine {
  readonly info: AsrModelInfo;
  /** True while the native model is in memory (false before first use and after an idle unload). */
  readonly loaded: boolean;
  createSession(options: AsrSessionOptions): Promise<AsrSession>;
  /** Load the model now (preload, benchmarks); otherwise it loads on first use. */
  load?(): Promise<void>;
  /** Release the native model now (it reloads lazily on next use). */
  unload(): Promise<void>;
  close(): Promise<void>;
}
