/** Messages between the Silero VAD factory and its worker thread. */

export type SileroRequest =
  | { type: 'open'; id: number }
  | { type: 'audio'; id: number; seq: number; samples: Float32Array }
  | { type: 'close'; id: number };

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
