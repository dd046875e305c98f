/**
 * Worker thread running one Silero VAD (v5/v6) onnxruntime session for many streams. Each stream
 * keeps its recurrent state, the 64-sample context and a partial window; every full 512-sample
 * window yields one speech probability. onnxruntime-node runs inference synchronously under its
 * promise API, so it lives here, off the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ort as onnxruntime } from '../../runtime/ort-session.js';
import { SILERO_SAMPLE_RATE, SILERO_WINDOW, type SileroReply, type SileroRequest, type SileroWorkerConfig } from './silero-protocol.js';

interface OrtTensor {
  data: Float32Array;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: number[]) => unknown;
}

const WINDOW = SILERO_WINDOW;
const CONTEXT = 64;
const STATE_SIZE = 2 * 128;
const SAMPLE_RATE = BigInt(SILERO_SAMPLE_RATE);

const port = parentPort!;
const post = (m: SileroReply) => port.postMessage(m);
// onnxruntime-node is loaded in one place (runtime/ort-session.ts); this narrow view is all the worker needs.
const ort = onnxruntime as unknown as Ort;
const { model, numThreads } = (workerData as { config: SileroWorkerConfig }).config;

interface StreamState {
  state: Float32Array;
  context: Float32Array;
  pending: Float32Array;
}

const streams = new Map<number, StreamState>();
let session: OrtSession;
let chain: Promise<void> = Promise.resolve();

async function windowProbability(s: StreamState, window: Float32Array): Promise<number> {
  const input = new Float32Array(CONTEXT + WINDOW);
  input.set(s.context);
  input.set(window, CONTEXT);
  const out = await session.run({
    input: new ort.Tensor('float32', input, [1, CONTEXT + WINDOW]),
    state: new ort.Tensor('float32', s.state, [2, 1, 128]),
    sr: new ort.Tensor('int64', BigInt64Array.from([SAMPLE_RATE]), []),
  });
  s.state = Float32Array.from(out['stateN']!.data);
  s.context = input.slice(WINDOW);
  return out['output']!.data[0] ?? 0;
}

async function handle(m: SileroRequest): Promise<void> {
  // Asked to stop: the onnxruntime run before this message has finished.
  if (m.type === 'stop') {
    await session.release().catch(() => undefined);
    process.exit(0);
  }
  if (m.type === 'open') {
    streams.set(m.id, { state: new Float32Array(STATE_SIZE), context: new Float32Array(CONTEXT), pending: new Float32Array(0) });
    return;
  }
  if (m.type === 'close') {
    streams.delete(m.id);
    return;
  }
  const s = streams.get(m.id);
  if (!s) return post({ type: 'probs', id: m.id, seq: m.seq, probs: new Float32Array(0) });
  try {
    const joined = new Float32Array(s.pending.length + m.samples.length);
    joined.set(s.pending);
    joined.set(m.samples, s.pending.length);
    const count = Math.floor(joined.length / WINDOW);
    const probs = new Float32Array(count);
    for (let i = 0; i < count; i++) probs[i] = await windowProbability(s, joined.subarray(i * WINDOW, (i + 1) * WINDOW));
    s.pending = joined.slice(count * WINDOW);
    port.postMessage({ type: 'probs', id: m.id, seq: m.seq, probs } satisfies SileroReply, [probs.buffer]);
  } catch (err) {
    post({ type: 'error', id: m.id, seq: m.seq, message: err instanceof Error ? err.message : String(err) });
  }
}

ort.InferenceSession.create(model, { intraOpNumThreads: numThreads, interOpNumThreads: 1 }).then(
  (created) => {
    session = created;
    port.on('message', (m: SileroRequest) => {
      chain = chain.then(() => handle(m));
    });
    post({ type: 'ready' });
  },
  (err: unknown) => post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) }),
);
