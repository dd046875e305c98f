/**
 * Worker thread that owns one sherpa-onnx KeywordSpotter. Its API is synchronous, so it runs here
 * and never on the daemon's event loop. Streams are addressed by id; audio is decoded in small
 * steps so each reported phrase carries the audio position where it was found.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, KwsHit, KwsWorkerData, ToWorker } from './sherpa-kws-protocol.js';
import { droppedNative } from '../../runtime/worker-gc.js';

/** Decode step: 100 ms, the granularity of detection timestamps. */
const STEP_SAMPLES = 1_600;
const SAMPLE_RATE = 16_000;

interface SherpaStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
}
interface SherpaSpotter {
  createStream(): SherpaStream;
  isReady(stream: SherpaStream): boolean;
  decode(stream: SherpaStream): void;
  reset(stream: SherpaStream): void;
  getResult(stream: SherpaStream): { keyword: string };
}
interface SherpaModule {
  KeywordSpotter: new (config: unknown) => SherpaSpotter;
}

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const streams = new Map<number, { stream: SherpaStream; fed: number }>();
let spotter: SherpaSpotter;

try {
  const started = Date.now();
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
  spotter = new sherpa.KeywordSpotter((workerData as KwsWorkerData).config);
  send({ op: 'ready', ms: Date.now() - started });
} catch (err) {
  send({ op: 'failed', message: (err as Error).message });
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
  switch (message.op) {
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
        send({ op: 'accepted', id: message.id, seq: message.seq, hits: accept(message.id, message.samples) });
      } catch (err) {
        send({ op: 'error', id: message.id, seq: message.seq, message: (err as Error).message });
      }
      break;
  }
});
