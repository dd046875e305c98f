/** Messages between the offline engine and its worker thread. */

export type OfflineRequest =
  | {
      type: 'decode';
      id: number;
      samples: Float32Array;
      sampleRate: number;
      /** Full recogniser config to switch to first (Whisper language/task), when it changed. */
      config?: Record<string, unknown> | undefined;
    }
  /** Exit once the messages before this one are handled (see runtime/worker-host.ts). */
  | { type: 'stop' };

export type OfflineReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; text: string; lang?: string | undefined }
  | { type: 'error'; id: number; message: string };
