/**
 * Worker thread owning one sherpa-onnx OfflineRecognizer. Feature extraction (`acceptWaveform`)
 * is synchronous and takes long for Whisper (its 30 s window), so the whole decode runs here,
 * off the main thread; requests are handled one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSherpa, type SherpaOfflineRecognizer } from '../../runtime/sherpa-native.js';
import type { OfflineReply, OfflineRequest } from './sherpa-offline-protocol.js';
import { droppedNative } from '../../runtime/worker-gc.js';

const port = parentPort!;
const post = (m: OfflineReply) => port.postMessage(m);

let recognizer: SherpaOfflineRecognizer;
try {
  recognizer = new (loadSherpa().OfflineRecognizer)((workerData as { config: Record<string, unknown> }).config);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
}

port.on('message', (m: OfflineRequest) => {
  // Asked to stop: the decode before this message has finished; no native call is running.
  if (m.type === 'stop') process.exit(0);
  try {
    if (m.config) recognizer.setConfig(m.config);
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: m.samples, sampleRate: m.sampleRate });
    recognizer.decode(stream);
    const result = recognizer.getResult(stream);
    post({ type: 'result', id: m.id, text: result.text, lang: result.lang });
  } catch (err) {
    post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    droppedNative();
  }
});
