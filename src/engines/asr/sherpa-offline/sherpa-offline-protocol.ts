/** Messages between the offline engine and its worker thread. */
import type { AsrToken } from '../asr.js';

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
  /** `tokens`: what the text was decoded from (times and log probabilities where the family gives them). */
  | { type: 'result'; id: number; text: string; lang?: string | undefined; tokens?: AsrToken[] | undefined }
  | { type: 'error'; id: number; message: string };
