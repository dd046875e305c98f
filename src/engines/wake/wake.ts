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

/**
 * One listener on a wake engine (a provider connection, or the satellite's mic).
 *
 * `accept` takes float32 mono samples at 16 kHz in chunks of any size (1 sample or minutes): the
 * engine buffers to its own hop size and works through calls in order, so it may be called
 * without awaiting; awaiting the promise gives backpressure (it resolves once this chunk's audio
 * is processed and any detection in it has been reported). Audio arriving faster than the engine
 * keeps up is bounded: past a few seconds of backlog the oldest audio is dropped.
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
  createSession(options: WakeSessionOptions): Promise<WakeSession>;
  close(): Promise<void>;
}
