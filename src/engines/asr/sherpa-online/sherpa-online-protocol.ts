/** Messages between the streaming engine and its worker thread. */
import type { AsrToken } from '../asr.js';

export type OnlineRequest =
  | { type: 'open'; id: number }
  | { type: 'audio'; id: number; samples: Float32Array; sampleRate: number }
  | { type: 'finish'; id: number; tailPadding: number; sampleRate: number }
  | { type: 'cancel'; id: number }
  /** Exit once the messages before this one are handled (see runtime/worker-host.ts). */
  | { type: 'stop' };

export type OnlineReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  /** One `audio` message was decoded: frees its samples from the session's in-flight window; `text` when the partial changed. */
  | { type: 'progress'; id: number; samples: number; text?: string }
  /** `tokens`: what the text was decoded from, with ids, times and log probabilities. */
  | { type: 'final'; id: number; text: string; tokens?: AsrToken[] }
  | { type: 'error'; id: number; message: string };
