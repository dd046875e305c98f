/**
 * One direct sherpa-onnx recogniser in a worker thread, for the concurrency sweep's engine floor:
 * it loads the model, says `ready`, and on each `go` decodes every clip it was given back to
 * back, answering with the wall time it took. No daemon, no socket, no VAD.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { AsrModelSpec } from '../../src/engines/asr/model-spec.js';
import { decodeAll, directRecognizer } from './stt-direct.js';

const { spec, clips } = workerData as { spec: AsrModelSpec; clips: Float32Array[] };
const recognizer = directRecognizer(spec);

parentPort!.on('message', (message: string) => {
  if (message !== 'go') return;
  const t0 = performance.now();
  decodeAll(recognizer, clips);
  parentPort!.postMessage(performance.now() - t0);
});
parentPort!.postMessage('ready');
