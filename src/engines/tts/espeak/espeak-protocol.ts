/** Messages between the eSpeak NG engine and the worker thread that runs libespeak-ng. */

export type EspeakRequest =
  /** Speak `text` with `voice` (an espeak voice id) at `wpm`; replies `audio` × N, then `done` or `error`. */
  | { type: 'speak'; id: number; text: string; voice: string; wpm: number; format: EspeakSampleFormat }
  /** Exit once the messages before this one are handled (see runtime/worker-host.ts). */
  | { type: 'stop' }
  /** Exit with `code` unasked, as a crash would (tests of the restart). */
  | { type: 'exit'; code: number };

export type EspeakReply =
  | { type: 'ready'; rate: number }
  | { type: 'load-error'; message: string }
  /** Samples at the library's rate, in order: floats in [-1, 1] or the library's own 16-bit ones. */
  | { type: 'audio'; id: number; samples: Float32Array | Int16Array }
  | { type: 'done'; id: number; cancelled: boolean }
  | { type: 'error'; id: number; message: string };

/** How audio comes back: float32 (the engine contract's `onAudio`) or 16-bit as the library makes it. */
export type EspeakSampleFormat = 'f32' | 's16';

/** The worker's start data (`workerData.config`). */
export interface EspeakWorkerConfig {
  /** What dlopen is given: a path or a soname. */
  library: string;
}

/** The soname the espeak-ng package installs (Debian, Ubuntu, Raspberry Pi OS: libespeak-ng1). */
export const DEFAULT_ESPEAK_LIBRARY = 'libespeak-ng.so.1';
