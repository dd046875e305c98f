/**
 * One direct sherpa-onnx recogniser in a worker thread, for the concurrency sweep's engine floor:
 * it loads the model, says `ready`, and on each `go` decodes every clip it was given back to
 * back, answering with the wall time it took. No daemon, no socket, no VAD.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { loadSherpa } from '../../src/engines/runtime/sherpa-native.js';
import { offlineRecognizerConfig } from '../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import type { AsrModelSpec } from '../../src/engines/asr/model-spec.js';

const { spec, clips } = workerData as { spec: AsrModelSpec; clips: Float32Array[] };
const recognizer = new (loadSherpa().OfflineRecognizer)(
  offlineRecognizerConfig({ spec, runtime: { provider: 'cpu', numThreads: 1, idleUnloadSeconds: 0, maxQueue: 8, preload: false } }),
);

parentPort!.on('message', (message: string) => {
  if (message !== 'go') return;
  const t0 = performance.now();
  for (const samples of clips) {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate: 16_000 });
    recognizer.decode(stream);
    recognizer.getResult(stream);
  }
  parentPort!.postMessage(performance.now() - t0);
});
parentPort!.postMessage('ready');
