/**
 * Vosk (Kaldi) models through libvosk. The model loads once per engine and is shared; each session
 * owns a recogniser (optionally limited to a phrase list) fed in order through koffi's async calls.
 * At most {@link MAX_QUEUED_SECONDS} of audio waits per session (`accept` resolves once under it),
 * and audio still queued when a session ends is dropped, not decoded.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelSlot } from '../../runtime/model-slot.js';
import { SatelliteError, errorMessage } from '../../../util/errors.js';
import type { AsrEngine, AsrModelInfo, AsrResult, AsrSession, AsrSessionOptions, AsrToken, AsrWord } from '../asr.js';
import { asrModelInfo, type AsrBackendOptions } from '../model-spec.js';
import { callAsync, loadVosk, type Pointer, type VoskApi } from './vosk-library.js';
import { onAbort } from '../../../util/abort.js';

/** Vosk takes float samples in the int16 range. */
const INT16_SCALE = 32768;
/** Recognisers alive at once per model on top of the configured queue. */
export const MAX_VOSK_SESSIONS = 8;
/** Audio a session may have waiting for the recogniser. */
export const MAX_QUEUED_SECONDS = 1;

interface LoadedModel {
  api: VoskApi;
  model: Pointer;
}

function parseText(json: string, key: 'text' | 'partial'): string {
  try {
    const value = (JSON.parse(json) as Record<string, unknown>)[key];
    return typeof value === 'string' ? value.trim() : '';
  } catch {
    return '';
  }
}

/** Vosk's words (with `setWords` on) as timed words, and as tokens carrying log(confidence). */
function parseWords(json: string): Array<AsrWord & { conf: number }> {
  try {
    const list = (JSON.parse(json) as Record<string, unknown>)['result'];
    if (!Array.isArray(list)) return [];
    return list.flatMap((w: Record<string, unknown>) =>
      typeof w['word'] === 'string' && typeof w['start'] === 'number' && typeof w['end'] === 'number'
        ? [{ word: w['word'], start: w['start'], end: w['end'], conf: typeof w['conf'] === 'number' ? w['conf'] : 1 }]
        : [],
    );
  } catch {
    return [];
  }
}

/** Smallest confidence taken for a word, so its log stays finite. */
const MIN_CONFIDENCE = 1e-6;

function voskResult(texts: string[], words: Array<AsrWord & { conf: number }>): AsrResult {
  const tokens: AsrToken[] = words.map((w) => ({ text: ` ${w.word}`, start: w.start, logprob: Math.log(Math.max(MIN_CONFIDENCE, w.conf)) }));
  return { text: texts.join(' '), words: words.map(({ word, start, end }) => ({ word, start, end })), tokens };
}

/** The model's rate from conf/mfcc.conf (`--sample-frequency=`), 16 kHz when absent. */
export async function voskSampleRate(dir: string): Promise<number> {
  try {
    const text = await readFile(path.join(dir, 'conf', 'mfcc.conf'), 'utf8');
    const m = /--sample-frequency=(\d+)/.exec(text);
    return m ? Number(m[1]) : 16_000;
  } catch {
    return 16_000;
  }
}

export class VoskEngine implements AsrEngine {
  readonly info: AsrModelInfo;
  readonly #options: AsrBackendOptions;
  readonly #library: string | null;
  readonly #slot: ModelSlot<LoadedModel>;
  #sessions = 0;

  constructor(options: AsrBackendOptions, library: string | null) {
    this.#options = options;
    this.#library = library;
    const { spec, runtime } = options;
    this.info = asrModelInfo(spec, 'vosk', true);
    this.#slot = new ModelSlot<LoadedModel>({
      name: spec.name,
      load: () => this.#load(),
      unload: ({ api, model }) => callAsync(api.modelFree, model),
      idleUnloadSeconds: runtime.idleUnloadSeconds,
      concurrency: 1,
      maxQueue: runtime.maxQueue,
    });
  }

  get loaded(): boolean {
    return this.#slot.loaded;
  }

  async load(): Promise<void> {
    await this.#slot.get();
  }

  async #load(): Promise<LoadedModel> {
    const api = loadVosk(this.#library);
    const model = await callAsync(api.modelNew, this.#options.spec.dir);
    if (!model) throw new SatelliteError('SAT_ERR_MODEL_LOAD', `vosk could not load the model folder ${this.#options.spec.dir}`);
    return { api, model };
  }

  async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    if (this.#sessions >= MAX_VOSK_SESSIONS + this.#options.runtime.maxQueue) {
      throw new SatelliteError('SAT_ERR_ENGINE_BUSY', `${this.info.name} is busy (${this.#sessions} sessions)`);
    }
    const { model: loaded, release } = await this.#slot.lease();
    const { api } = loaded;
    let rec: Pointer;
    try {
      rec = await this.#newRecognizer(loaded);
    } catch (err) {
      release();
      throw err;
    }
    this.#sessions++;
    const done: string[] = [];
    const words: Array<AsrWord & { conf: number }> = [];
    let partial = '';
    let chain: Promise<void> = Promise.resolve();
    let failure: unknown;
    let closed = false;
    let queued = 0;
    const window = MAX_QUEUED_SECONDS * this.info.sampleRate;
    const free = () => {
      if (closed) return;
      closed = true;
      this.#sessions--;
      chain = chain.then(() => callAsync(api.recognizerFree, rec)).finally(release);
    };
    const step = async (samples: Float32Array) => {
      const scaled = new Float32Array(samples.length);
      for (let i = 0; i < samples.length; i++) scaled[i] = samples[i]! * INT16_SCALE;
      const final = await callAsync(api.acceptWaveform, rec, scaled, scaled.length);
      if (final === 1) {
        const json = await callAsync(api.result, rec);
        const text = parseText(json, 'text');
        if (text) done.push(text);
        words.push(...parseWords(json));
        partial = '';
      } else {
        const text = parseText(await callAsync(api.partialResult, rec), 'partial');
        if (text === partial) return;
        partial = text;
      }
      options.onPartial?.([...done, partial].filter(Boolean).join(' '));
    };
    // Also when the client left while the recogniser was being made.
    onAbort(options.signal, free);
    return {
      async accept(samples) {
        if (closed || samples.length === 0) return;
        const copy = samples.slice();
        queued += copy.length;
        chain = chain
          .then(() => (failure || closed ? undefined : step(copy)))
          .catch((err: unknown) => {
            failure = err;
          })
          .finally(() => {
            queued -= copy.length;
          });
        if (queued > window) await chain;
      },
      finish: async (): Promise<AsrResult> => {
        if (closed) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session already finished');
        try {
          await chain;
          if (failure) throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `vosk decode failed: ${errorMessage(failure)}`, { cause: failure });
          const json = await callAsync(api.finalResult, rec);
          const text = parseText(json, 'text');
          if (text) done.push(text);
          words.push(...parseWords(json));
          return voskResult(done, words);
        } finally {
          free();
        }
      },
      cancel: free,
    };
  }

  /** A recogniser on the loaded model, restricted to the configured phrases when there are any. */
  async #newRecognizer({ api, model }: LoadedModel): Promise<Pointer> {
    const grammar = this.#options.spec.grammar;
    const rate = this.info.sampleRate;
    let recognizer: Pointer | null;
    try {
      recognizer = grammar?.length
        ? await callAsync(api.recognizerNewGrammar, model, rate, JSON.stringify([...grammar, '[unk]']))
        : await callAsync(api.recognizerNew, model, rate);
    } catch (err) {
      throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `vosk recogniser: ${errorMessage(err)}`, { cause: err });
    }
    if (!recognizer) throw new SatelliteError('SAT_ERR_ENGINE_FAILED', 'vosk could not create a recogniser');
    // Word times and confidences in every result (for timestamps and segment log probabilities).
    try {
      await callAsync(api.setWords, recognizer, 1);
    } catch (err) {
      await callAsync(api.recognizerFree, recognizer);
      throw new SatelliteError('SAT_ERR_ENGINE_FAILED', `vosk recogniser: ${errorMessage(err)}`, { cause: err });
    }
    return recognizer;
  }

  unload(): Promise<void> {
    return this.#slot.unload();
  }

  close(): Promise<void> {
    return this.#slot.unload();
  }
}
