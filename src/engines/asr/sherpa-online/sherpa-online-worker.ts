/**
 * Worker thread that owns one sherpa-onnx OnlineRecognizer (its methods are synchronous, so they
 * must never run on the main thread) and serves every stream of that model. Messages are handled
 * in order; each decoded audio message is acknowledged (with the partial text when it changed).
 * Work of a session on the cancel board is skipped: a client that left costs nothing more.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSherpa, type SherpaOnlineRecognizer, type SherpaOnlineStream } from '../../runtime/sherpa-native.js';
import type { OnlineReply, OnlineRequest } from './sherpa-online-protocol.js';
import { CancelBoard } from '../../runtime/cancel-board.js';
import { droppedNative } from '../../runtime/worker-gc.js';
import { readTokenTable, zipTokens } from '../token-table.js';
import { lowerThreadPriority } from '../../runtime/worker-priority.js';

// before the model loads, so the runtime's own threads inherit the lower priority
lowerThreadPriority();

const port = parentPort!;
const post = (message: OnlineReply) => port.postMessage(message);
const board = new CancelBoard((workerData as { shared: SharedArrayBuffer }).shared);

const config = (workerData as { config: { modelConfig?: { tokens?: string } } }).config;
let recognizer: SherpaOnlineRecognizer;
try {
  recognizer = new (loadSherpa().OnlineRecognizer)(config);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
}

/** Token ids for the final result's tokens. */
const tokenTable = readTokenTable(config.modelConfig?.tokens, false);

const streams = new Map<number, { stream: SherpaOnlineStream; text: string }>();

function drop(id: number): void {
  if (streams.delete(id)) droppedNative();
}

/** Decodes what is ready; returns the new text when it changed. */
function decodeReady(entry: { stream: SherpaOnlineStream; text: string }, always: boolean): string | undefined {
  let decoded = false;
  while (recognizer.isReady(entry.stream)) {
    recognizer.decode(entry.stream);
    decoded = true;
  }
  // The text only changes after a decode step; reading the result (JSON from the native side)
  // for every 100 ms chunk would cost more than most of the decoding.
  if (!decoded && !always) return undefined;
  const text = recognizer.getResult(entry.stream).text.trim();
  if (text === entry.text) return undefined;
  entry.text = text;
  return text;
}

function handle(message: Exclude<OnlineRequest, { type: 'stop' }>): void {
  if (message.type === 'open') {
    streams.set(message.id, { stream: recognizer.createStream(), text: '' });
    return;
  }
  const entry = streams.get(message.id);
  if (!entry) return;
  if (message.type === 'cancel' || board.isCancelled(message.id)) {
    drop(message.id);
  } else if (message.type === 'audio') {
    entry.stream.acceptWaveform({ samples: message.samples, sampleRate: message.sampleRate });
    const text = decodeReady(entry, false);
    post({ type: 'progress', id: message.id, samples: message.samples.length, ...(text === undefined ? {} : { text }) });
  } else if (message.type === 'finish') {
    entry.stream.acceptWaveform({ samples: new Float32Array(message.tailPadding), sampleRate: message.sampleRate });
    entry.stream.inputFinished();
    decodeReady(entry, true);
    const result = recognizer.getResult(entry.stream);
    drop(message.id);
    post({ type: 'final', id: message.id, text: entry.text, tokens: zipTokens(tokenTable, result.tokens, result.timestamps, result.ys_probs) });
  }
}

port.on('message', (message: OnlineRequest) => {
  // Asked to stop: everything before this message is done, and no native call is running.
  if (message.type === 'stop') process.exit(0);
  try {
    handle(message);
  } catch (err) {
    drop(message.id);
    post({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) });
  }
});
