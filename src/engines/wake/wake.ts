/** Wake-word engine contract. One engine instance serves several wake models. */
import type { ModelInfo } from '../types.js';

export interface WakeModelInfo extends ModelInfo {
  backend: string;
  /** What a person says, e.g. "Hey Jarvis". */
  phrase: string;
}

export interface WakeDetection {
  /** Exact model name from `info.wake`. */
  name: string;
  /** Milliseconds of audio since the session started, at the end of the wake word. */
  timestampMs: number;
}

export interface WakeSessionOptions {
  /**
   * Model names to listen for (matched as `matchWakeModel` does); names this engine lacks are
   * ignored, and none known throws SAT_ERR_WAKE_MODEL_NOT_FOUND. Empty = the engine's first model
   * (callers apply `wake.default_model` across engines: core/wake-names.ts `selectWakeModels`).
   */
  names: string[];
  onDetection: (detection: WakeDetection) => void;
  /** Each word's score (0–1) for every hop, for live diagnostics; engines without scores never call it. */
  onScores?: (scores: Record<string, number>) => void;
}

/**
 * One listener on a wake engine (a provider connection, or the satellite's mic).
 *
 * `accept` takes float32 mono samples at 16 kHz in chunks of any size (1 sample or minutes): the
 * engine buffers to its own hop size and works through calls in order, so it may be called
 * without awaiting; awaiting the promise gives backpressure (it resolves once this chunk's audio
 * is processed and any detection in it has been reported). Audio arriving faster than the engine
 * keeps up is bounded: past a few seconds of backlog from earlier calls, audio is dropped rather
 * than queued without limit.
 */
export interface WakeSession {
  /** Feed float32 mono samples at 16 kHz. */
  accept(samples: Float32Array): Promise<void>;
  /** Forget audio so far (a new `audio-start`). */
  reset(): void;
  /** Stops listening and frees the session; no detection is reported after this. */
  close(): void;
}

export interface WakeEngine {
  readonly models: WakeModelInfo[];
  /** True while the native model(s) are in memory (false before first use and after an idle unload). */
  readonly loaded: boolean;
  createSession(options: WakeSessionOptions): Promise<WakeSession>;
  /** Loads the models now instead of on the first session (config `preload`). */
  load?(): Promise<void>;
  /** Sessions open right now (stats; lets tests see that closed connections free theirs). */
  readonly sessionCount?: number;
  close(): Promise<void>;
}

/** How people call each backend, for descriptions (`sherpa-kws` → "keyword spotter"). */
const BACKEND_LABELS: Readonly<Record<string, string>> = { openwakeword: 'openWakeWord', 'sherpa-kws': 'keyword spotter' };

export function wakeBackendLabel(backend: string): string {
  return BACKEND_LABELS[backend] ?? backend;
}

/**
 * Matching a requested wake-word name: the exact `info` name first, then the file-style name with
 * a version suffix (`hey_jarvis_v0.1`), any letter case, spaces or dashes for underscores, or the
 * spoken phrase ("Hey Jarvis"). `Hey Jarvis`, `hey-jarvis`, `hey_jarvis_v0.1` → `hey_jarvis`.
 */
export function normalizeWakeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\.(onnx|tflite)$/, '')
    .replace(/_v\d+(\.\d+)*$/, '')
    .replace(/[\s-]+/g, '_');
}

/** The model a requested name means, if any. */
export function matchWakeModel<M extends Pick<WakeModelInfo, 'name' | 'phrase'>>(models: readonly M[], requested: string): M | undefined {
  const exact = models.find((m) => m.name === requested);
  if (exact) return exact;
  const wanted = normalizeWakeName(requested);
  return models.find((m) => normalizeWakeName(m.name) === wanted || normalizeWakeName(m.phrase) === wanted);
}

