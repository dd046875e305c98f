/**
 * Worker thread that owns one sherpa-onnx KeywordSpotter. Its API is synchronous, so it runs here
 * and never on the daemon's event loop. Streams are addressed by id; audio is decoded in small
 * steps so each reported phrase carries the audio position where it was found.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSherpa, type SherpaSpotter, type SherpaStream } from '../../runtime/sherpa-native.js';
import type { FromWorker, KwsHit, KwsWorkerData, ToWorker } from './sherpa-kws-protocol.js';
import { droppedNative } from '../../runtime/worker-gc.js';
import { lowerThreadPriority } from '../../runtime/worker-priority.js';

// before the model loads, so the runtime's own threads inherit the lower priority
lowerThreadPriority();

/** Decode step: 100 ms, the granularity of detection timestamps. */
const STEP_SAMPLES = 1_600;
const SAMPLE_RATE = 16_000;

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const streams = new Map<number, { stream: SherpaStream; fed: number }>();
let spotter: SherpaSpotter;

try {
  spotter = new (loadSherpa().KeywordSpotter)((workerData as KwsWorkerData).config);
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'load-error', message: (err as Error).message });
}

function accept(id: number, samples: Float32Array): KwsHit[] {
  const entry = streams.get(id);
  if (!entry) throw new Error(`no keyword stream ${id}`);
  const hits: KwsHit[] = [];
  for (let at = 0; at < samples.length; at += STEP_SAMPLES) {
    const step = samples.subarray(at, at + STEP_SAMPLES);
    entry.stream.acceptWaveform({ samples: step, sampleRate: SAMPLE_RATE });
    entry.fed += step.length;
    while (spotter.isReady(entry.stream)) {
      spotter.decode(entry.stream);
      const keyword = spotter.getResult(entry.stream).keyword;
      if (keyword) {
        hits.push({ keyword, atSample: entry.fed });
        spotter.reset(entry.stream);
      }
    }
  }
  return hits;
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'stop':
      // Everything before this message is done: no native call is running.
      process.exit(0);
      break;
    case 'open':
    case 'reset':
      if (streams.has(message.id)) droppedNative();
      streams.set(message.id, { stream: spotter.createStream(), fed: 0 });
      break;
    case 'close':
      if (streams.delete(message.id)) droppedNative();
      break;
    case 'accept':
      try {
        send({ type: 'accepted', id: message.id, seq: message.seq, hits: accept(message.id, message.samples) });
      } catch (err) {
        send({ type: 'error', id: message.id, seq: message.seq, message: (err as Error).message });
      }
      break;
  }
});
