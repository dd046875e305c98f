/**
 * Worker thread owning one sherpa-onnx OfflineRecognizer. Feature extraction (`acceptWaveform`)
 * is synchronous and takes long for Whisper (its 30 s window), so the whole decode runs here,
 * off the main thread; requests are handled one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSherpa, type SherpaOfflineRecognizer } from '../../runtime/sherpa-native.js';
import type { OfflineReply, OfflineRequest } from './sherpa-offline-protocol.js';
import { droppedNative } from '../../runtime/worker-gc.js';
import { readTokenTable, zipTokens } from '../token-table.js';
import { lowerThreadPriority } from '../../runtime/worker-priority.js';

// before the model loads, so the runtime's own threads inherit the lower priority
lowerThreadPriority();

const port = parentPort!;
const post = (m: OfflineReply) => port.postMessage(m);

const config = (workerData as { config: { modelConfig?: { tokens?: string; whisper?: unknown } } }).config;
let recognizer: SherpaOfflineRecognizer;
try {
  recognizer = new (loadSherpa().OfflineRecognizer)(config);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
}

/** Token ids for the results' tokens (Whisper's table is base64). */
const tokenTable = readTokenTable(config.modelConfig?.tokens, config.modelConfig?.whisper !== undefined);

port.on('message', (m: OfflineRequest) => {
  // Asked to stop: the decode before this message has finished; no native call is running.
  if (m.type === 'stop') process.exit(0);
  try {
    if (m.config) recognizer.setConfig(m.config);
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: m.samples, sampleRate: m.sampleRate });
    recognizer.decode(stream);
    const result = recognizer.getResult(stream);
    const tokens = zipTokens(tokenTable, result.tokens, result.timestamps, result.ys_log_probs);
    post({ type: 'result', id: m.id, text: result.text, lang: result.lang, tokens });
  } catch (err) {
    post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    droppedNative();
  }
});
