/**
 * The text-to-speech requests of one client connection, as Home Assistant sends them
 * (wyoming-protocol.md §4.3):
 *
 * - classic: `synthesize {text, voice?}` → one reply (start, chunks, stop);
 * - streaming: `synthesize-start {voice?}`, `synthesize-chunk` × N, the compatibility
 *   `synthesize` (ignored while a stream is open), `synthesize-stop` → one reply whose sentences
 *   are spoken as soon as each is complete, then `synthesize-stopped`. A request that began with
 *   `synthesize-start` always ends with `synthesize-stopped`, after an error too.
 *
 * Errors go to the client as coded `error` events; the connection stays usable.
 */
import { errorCode, errorMessage, SatelliteError } from '../../util/errors.js';
import { SentenceSplitter, splitSentences } from './tts-sentences.js';
import type { TtsAudioSink } from './tts-reply.js';
import { TtsReply } from './tts-reply.js';
import type { VoiceChoice, VoiceQuery } from './select-voice.js';

export interface TtsSessionOutput extends TtsAudioSink {
  error(text: string, code: string): Promise<void>;
  stopped(): Promise<void>;
}

export interface TtsRequestResult {
  ok: boolean;
  ms: number;
  code?: string | undefined;
  sentences: number;
  cachedSentences: number;
  streaming: boolean;
  /** The voice chosen, when one was. */
  voice?: string | undefined;
}

export interface TtsSessionOptions {
  resolve(query: VoiceQuery): VoiceChoice;
  createReply(choice: VoiceChoice, sink: TtsAudioSink, signal: AbortSignal, onError: (err: unknown) => void): TtsReply;
  output: TtsSessionOutput;
  maxTextChars: number;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  onRequest?: ((result: TtsRequestResult) => void) | undefined;
  now?: () => number;
}

interface OpenStream {
  startedAt: number;
  splitter: SentenceSplitter;
  chars: number;
  reply: TtsReply | undefined;
  failed: unknown;
  /** The error event being written, so `synthesize-stopped` follows it. */
  errorSent: Promise<void>;
}

export class TtsSession {
  readonly #o: TtsSessionOptions;
  #stream: OpenStream | undefined;
  #classic: TtsReply | undefined;

  constructor(options: TtsSessionOptions) {
    this.#o = options;
  }

  get streaming(): boolean {
    return this.#stream !== undefined;
  }

  /** A request is being answered (a stream is open or a classic reply is speaking). */
  get active(): boolean {
    return this.#stream !== undefined || this.#classic !== undefined;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #checkLength(chars: number): void {
    if (chars > this.#o.maxTextChars) {
      throw new SatelliteError('SAT_ERR_TTS_TEXT_TOO_LONG', `text is ${chars} characters; the limit is ${this.#o.maxTextChars}`);
    }
  }

  /** Classic request; ignored while a stream is open (Home Assistant's compatibility copy). */
  async synthesize(text: string, voice: VoiceQuery | undefined): Promise<void> {
    if (this.#stream) return;
    const startedAt = this.#now();
    let reply: TtsReply | undefined;
    try {
      if (!text.trim()) throw new SatelliteError('SAT_ERR_TTS_EMPTY_TEXT', 'nothing to say: the text is empty');
      this.#checkLength(text.length);
      const choice = this.#o.resolve(voice ?? {});
      reply = this.#o.createReply(choice, this.#o.output, this.#o.signal, () => undefined);
      this.#classic = reply;
      for (const sentence of splitSentences(text)) reply.add(sentence);
      await reply.finish();
      this.#report(startedAt, false, reply);
    } catch (err) {
      this.#report(startedAt, false, reply, err);
      if (!this.#o.signal.aborted) await this.#o.output.error(errorMessage(err), errorCode(err, 'SAT_ERR_TTS_ENGINE'));
    } finally {
      this.#classic = undefined;
    }
  }

  /** Opens a stream; one left open is finished first. */
  async start(voice: VoiceQuery | undefined): Promise<void> {
    if (this.#stream) await this.stop();
    const stream: OpenStream = {
      startedAt: this.#now(),
      splitter: new SentenceSplitter(),
      chars: 0,
      reply: undefined,
      failed: undefined,
      errorSent: Promise.resolve(),
    };
    this.#stream = stream;
    try {
      const choice = this.#o.resolve(voice ?? {});
      stream.reply = this.#o.createReply(choice, this.#o.output, this.#o.signal, (err) => this.#fail(stream, err));
    } catch (err) {
      this.#fail(stream, err);
    }
  }

  /** More text of the open stream; complete sentences start speaking now. */
  chunk(text: string): void {
    const stream = this.#stream;
    if (!stream) throw new SatelliteError('SAT_ERR_TTS_NO_STREAM', 'synthesize-chunk without synthesize-start');
    if (stream.failed !== undefined || !stream.reply) return;
    stream.chars += text.length;
    try {
      this.#checkLength(stream.chars);
    } catch (err) {
      this.#fail(stream, err);
      return;
    }
    for (const sentence of stream.splitter.push(text)) stream.reply.add(sentence);
  }

  /** Ends the stream: speaks the rest, then `synthesize-stopped`. */
  async stop(): Promise<void> {
    const stream = this.#stream;
    if (!stream) throw new SatelliteError('SAT_ERR_TTS_NO_STREAM', 'synthesize-stop without synthesize-start');
    this.#stream = undefined;
    const reply = stream.reply;
    if (stream.failed === undefined && reply) {
      for (const sentence of stream.splitter.flush()) reply.add(sentence);
      if (reply.sentences === 0) this.#fail(stream, new SatelliteError('SAT_ERR_TTS_EMPTY_TEXT', 'nothing to say: the streamed text is empty'));
      else await reply.finish().catch((err: unknown) => this.#fail(stream, err));
    }
    await stream.errorSent;
    this.#report(stream.startedAt, true, reply, stream.failed);
    if (!this.#o.signal.aborted) await this.#o.output.stopped();
  }

  /** The client went away: cancel everything. */
  close(): void {
    this.#stream?.reply?.abort();
    this.#stream = undefined;
    this.#classic?.abort();
  }

  #fail(stream: OpenStream, err: unknown): void {
    if (stream.failed !== undefined) return;
    stream.failed = err;
    stream.reply?.abort();
    if (!this.#o.signal.aborted) stream.errorSent = this.#o.output.error(errorMessage(err), errorCode(err, 'SAT_ERR_TTS_ENGINE'));
  }

  #report(startedAt: number, streaming: boolean, reply: TtsReply | undefined, err?: unknown): void {
    this.#o.onRequest?.({
      ok: err === undefined,
      ms: this.#now() - startedAt,
      code: err === undefined ? undefined : errorCode(err, 'SAT_ERR_TTS_ENGINE'),
      sentences: reply?.sentences ?? 0,
      cachedSentences: reply?.cachedSentences ?? 0,
      streaming,
      voice: reply?.voice,
    });
  }
}
