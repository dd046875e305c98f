/**
 * One Silero VAD (v5/v6) onnxruntime session shared by every stream, on the daemon's thread. Each
 * stream keeps its recurrent state, the 64-sample context and a partial window; every full
 * 512-sample window yields one speech probability. A window takes a fraction of a millisecond and
 * onnxruntime-node's promise API yields to the event loop before each one, so a worker thread (a
 * second V8 heap and a second copy of the runtime's JavaScript, ~10 MB idle) would cost more than
 * it saves. Windows of all streams run one at a time, in the order their audio arrived.
 */
import type { Logger } from '../../../util/logger.js';
import { loadOrt, openOrtSession, type OrtModule, type ort } from '../../runtime/ort-session.js';
import { SILERO_SAMPLE_RATE, SILERO_WINDOW } from './silero-protocol.js';

const CONTEXT = 64;
const STATE_SHAPE = [2, 1, 128];
const STATE_SIZE = 2 * 128;
const SAMPLE_RATE = BigInt(SILERO_SAMPLE_RATE);

interface StreamState {
  state: Float32Array;
  context: Float32Array;
  pending: Float32Array;
}

export class SileroModel {
  /** Streams open now (the factory bounds them). */
  streams = 0;
  readonly #session: ort.InferenceSession;
  readonly #Tensor: OrtModule['Tensor'];
  readonly #rate: ort.Tensor;
  readonly #states = new Map<number, StreamState>();
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(session: ort.InferenceSession, Tensor: OrtModule['Tensor']) {
    this.#session = session;
    this.#Tensor = Tensor;
    this.#rate = new Tensor('int64', BigInt64Array.from([SAMPLE_RATE]), []);
  }

  static async load(file: string, numThreads: number, log?: Logger): Promise<SileroModel> {
    const session = await openOrtSession(file, { provider: 'cpu', numThreads }, log);
    const { Tensor } = await loadOrt();
    return new SileroModel(session, Tensor);
  }

  open(id: number): void {
    this.#states.set(id, { state: new Float32Array(STATE_SIZE), context: new Float32Array(CONTEXT), pending: new Float32Array(0) });
  }

  close(id: number): void {
    this.#states.delete(id);
  }

  /** The probability of every window the audio completes (none for a closed stream). */
  probabilities(id: number, samples: Float32Array): Promise<Float32Array> {
    const run = this.#chain.then(() => this.#windows(id, samples));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Frees the session once the windows queued before this call have run. */
  async release(): Promise<void> {
    await this.#chain;
    this.#states.clear();
    await this.#session.release();
  }

  async #windows(id: number, samples: Float32Array): Promise<Float32Array> {
    const s = this.#states.get(id);
    if (!s) return new Float32Array(0);
    const joined = new Float32Array(s.pending.length + samples.length);
    joined.set(s.pending);
    joined.set(samples, s.pending.length);
    const count = Math.floor(joined.length / SILERO_WINDOW);
    const probs = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      probs[i] = await this.#window(s, joined.subarray(i * SILERO_WINDOW, (i + 1) * SILERO_WINDOW));
      // closed while its windows ran: the rest are not worth the CPU
      if (!this.#states.has(id)) return probs.subarray(0, i + 1);
    }
    s.pending = joined.slice(count * SILERO_WINDOW);
    return probs;
  }

  async #window(s: StreamState, window: Float32Array): Promise<number> {
    const input = new Float32Array(CONTEXT + SILERO_WINDOW);
    input.set(s.context);
    input.set(window, CONTEXT);
    const out = await this.#session.run({
      input: new this.#Tensor('float32', input, [1, CONTEXT + SILERO_WINDOW]),
      state: new this.#Tensor('float32', s.state, STATE_SHAPE),
      sr: this.#rate,
    });
    s.state = Float32Array.from(out['stateN']!.data as Float32Array);
    s.context = input.slice(SILERO_WINDOW);
    return (out['output']!.data as Float32Array)[0] ?? 0;
  }
}
