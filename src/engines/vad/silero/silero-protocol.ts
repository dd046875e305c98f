/** Messages between the Silero VAD factory and its worker thread, and the model's fixed framing. */

export const SILERO_SAMPLE_RATE = 16_000;
/** Samples per probability window at {@link SILERO_SAMPLE_RATE}. */
export const SILERO_WINDOW = 512;

export type SileroRequest =
  | { type: 'open'; id: number }
  | { type: 'audio'; id: number; seq: number; samples: Float32Array }
  | { type: 'close'; id: number }
  /** Exit once the messages before this one are handled (see runtime/worker-host.ts). */
  | { type: 'stop' };

export type SileroReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'probs'; id: number; seq: number; probs: Float32Array }
  | { type: 'error'; id: number; seq: number; message: string };

/** The worker's start data (`workerData.config`). */
export interface SileroWorkerConfig {
  model: string;
  numThreads: number;
}
