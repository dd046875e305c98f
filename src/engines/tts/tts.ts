/** Text-to-speech engine contract. One engine instance may offer several voices. */
import type { ModelInfo } from '../types.js';

export interface TtsVoiceInfo extends ModelInfo {
  /** Backend id, e.g. `piper`, `kokoro`, `espeak-ng`. */
  backend: string;
  /** Native output rate of this voice. */
  sampleRate: number;
  /** Named speakers, or null for single-speaker voices. */
  speakers: string[] | null;
}

export interface TtsRequest {
  text: string;
  voice: string;
  speaker?: string | undefined;
  /** 1 = normal; > 1 faster. */
  speed?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called with float32 mono samples at the voice's `sampleRate` as they are produced. */
  onAudio: (samples: Float32Array) => void;
  /**
   * 16-bit mono samples at the voice's rate. When given, an engine that makes 16-bit audio itself
   * (eSpeak NG) hands its audio here instead of to `onAudio`, sparing a conversion each way.
   */
  onPcm16?: ((samples: Int16Array) => void) | undefined;
}

export interface TtsEngine {
  readonly voices: TtsVoiceInfo[];
  /**
   * True while the native model is in memory (false before first use and after an idle unload).
   * An engine that runs a program per request and keeps nothing loaded (espeak-ng) reports true
   * while that program is available.
   */
  readonly loaded: boolean;
  /** Resolves when all audio has been passed to `onAudio`. Aborting the signal cancels. */
  synthesize(request: TtsRequest): Promise<{ sampleRate: number }>;
  /** Loads the model now instead of on first use (config `preload`). */
  load?(): Promise<void>;
  unload(): Promise<void>;
  close(): Promise<void>;
}
