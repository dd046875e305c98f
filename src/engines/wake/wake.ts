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
  /** Model names to listen for; empty = the configured default. */
  names: string[];
  onDetection: (detection: WakeDetection) => void;
}

export interface WakeSession {
  /** Feed float32 mono samples at 16 kHz. */
  accept(samples: Float32Array): Promise<void>;
  /** Forget audio so far (a new `audio-start`). */
  reset(): void;
  close(): void;
}

export interface WakeEngine {
  readonly models: WakeModelInfo[];
  createSession(options: WakeSessionOptions): Promise<WakeSession>;
  close(): Promise<void>;
}
