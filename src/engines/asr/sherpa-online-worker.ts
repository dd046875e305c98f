/**
 * Worker thread that owns one sherpa-onnx OnlineRecognizer (its methods are synchronous, so they
 * must never run on the main thread) and serves every stream of that model. Messages are handled
 * in order; each stream's partial text is posted whenever it changes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSherpa, type SherpaOnlineRecognizer, type SherpaOnlineStream } from './sherpa-native.js';
import type { OnlineReply, OnlineRequest } from './sherpa-online-protocol.js';

const port = parentPort!;
const post = (message: OnlineReply) => port.postMessage(message);

let recognizer: SherpaOnlineRecognizer;
try {
  recognizer = new (loadSherpa().OnlineRecognizer)((workerData as { config: Record<string, unknown> }).config);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
}

const streams = new Map<number, { stream: SherpaOnlineStream; text: string }>();

function decodeReady(id: number, entry: { stream: SherpaOnlineStream; text: string }, postPartial: boolean): void {
  let decoded = false;
  while (recognizer.isReady(entry.stream)) {
    recognizer.decode(entry.stream);
    decoded = true;
  }
  // The text only changes after a decode step; reading the result (JSON from the native side)
  // for every 100 ms chunk would cost more than most of the decoding.
  if (!decoded && postPartial) return;
  const text = recognizer.getResult(entry.stream).text.trim();
  if (text !== entry.text) {
    entry.text = text;
    if (postPartial) post({ type: 'partial', id, text });
  }
}

function handle(message: OnlineRequest): void {
  if (message.type === 'open') {
    streams.set(message.id, { stream: recognizer.createStream(), text: '' });
    return;
  }
  const entry = streams.get(message.id);
  if (!entry) return;
  if (message.type === 'cancel') {
    streams.delete(message.id);
  } else if (message.type === 'audio') {
    entry.stream.acceptWaveform({ samples: message.samples, sampleRate: message.sampleRate });
    decodeReady(message.id, entry, true);
  } else if (message.type === 'finish') {
    entry.stream.acceptWaveform({ samples: new Float32Array(message.tailPadding), sampleRate: message.sampleRate });
    entry.stream.inputFinished();
    decodeReady(message.id, entry, false);
    streams.delete(message.id);
    post({ type: 'final', id: message.id, text: entry.text });
  }
}

port.on('message', (message: OnlineRequest) => {
  try {
    handle(message);
  } catch (err) {
    streams.delete(message.id);
    post({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) });
  }
});
