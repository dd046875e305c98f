/**
 * One connection's speech-to-text requests (Home Assistant's STT flow, wyoming-protocol.md §4.2),
 * independent of sockets, as one explicit state:
 *
 *   idle ─transcribe→ chosen ─audio-start→ opening → streaming ─audio-stop→ finishing → idle
 *                 ↘ refused (error sent)              │ VAD endpoint → finishing → answered
 *   any failure → failed (error sent)                 └ partials: transcript-start / -chunk
 *
 * `refused`, `answered` and `failed` have had their answer: the rest of that audio stream is
 * ignored until its `audio-stop`, so one bad request costs the peer one `error`, not one per chunk.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import { checkFormat } from '../../audio/pcm.js';
import { errorCode, errorMessage, SatelliteError } from '../../util/errors.js';
import type { SpeechService } from './speech-service.js';
import type { SttSession } from './stt-session.js';

/** `transcribe {vad_sensitivity}`: how much silence ends speech, relative to the configured value. */
const VAD_SENSITIVITY_FACTOR: Record<string, number> = { relaxed: 1.5, default: 1, aggressive: 0.6 };

export interface SttRequest {
  name?: string | null | undefined;
  language?: string | null | undefined;
  vadSensitivity?: string | null | undefined;
}

/** Where the answers go (a Wyoming connection). Writes happen in order. */
export interface SttOutput {
  transcriptStart(language: string | undefined): Promise<void>;
  transcriptChunk(text: string): Promise<void>;
  transcript(text: string, language: string | undefined): Promise<void>;
  transcriptStop(): Promise<void>;
  error(text: string, code: string): Promise<void>;
}

export interface SttReport {
  ok: boolean;
  ms: number;
  code?: string | undefined;
  model?: string | undefined;
  text?: string | undefined;
  language?: string | undefined;
  audioSeconds?: number | undefined;
}

export interface SttConversationOptions {
  speech: SpeechService;
  output: SttOutput;
  /** Send transcript-start/-chunk while streaming models decode. */
  streamingEvents: boolean;
  /** Answer as soon as VAD hears the end of speech. */
  endpointOnSilence: boolean;
  /** Aborted when the peer goes away. */
  signal: AbortSignal;
  /** Each request's end (answer or error), for stats and logs. */
  onReport?: (report: SttReport) => void;
  now?: () => number;
}

interface Stream {
  request: SttRequest;
  startedAt: number;
  model?: string | undefined;
}

type State =
  | { name: 'idle' }
  | { name: 'chosen'; request: SttRequest; model: string }
  | { name: 'refused'; request: SttRequest }
  | ({ name: 'opening' } & Stream)
  | ({ name: 'streaming'; session: SttSession; partial: { started: boolean; sent: string } } & Stream)
  | ({ name: 'finishing' } & Stream)
  | { name: 'answered' }
  | { name: 'failed' }
  | { name: 'closed' };

export class SttConversation {
  readonly #o: SttConversationOptions;
  #state: State = { name: 'idle' };
  #out: Promise<void> = Promise.resolve();

  constructor(options: SttConversationOptions) {
    this.#o = options;
  }

  /** A request is being served (shutdown waits for it briefly). */
  get busy(): boolean {
    return ['opening', 'streaming', 'finishing'].includes(this.#state.name);
  }

  get state(): State['name'] {
    return this.#state.name;
  }

  transcribe(request: SttRequest): void {
    if (this.#state.name === 'closed') return;
    this.#drop();
    try {
      const engine = this.#o.speech.pickAsr({ name: request.name, language: request.language });
      this.#state = { name: 'chosen', request, model: engine.info.name };
    } catch (err) {
      this.#state = { name: 'refused', request };
      this.#report({ request, startedAt: this.#now() }, err);
    }
  }

  async audioStart(format: PcmFormat): Promise<void> {
    const state = this.#state;
    if (state.name === 'closed' || state.name === 'refused') return; // a refused request's stream is ignored
    this.#drop();
    const request: SttRequest = state.name === 'chosen' ? { ...state.request, name: state.model } : {};
    const stream: Stream = { request, startedAt: this.#now() };
    this.#state = { name: 'opening', ...stream };
    try {
      // The declared format is checked before any engine work is opened for it.
      checkFormat(format);
      const { engine, session } = await this.#o.speech.openTranscription({
        name: request.name,
        language: request.language,
        silenceFactor: VAD_SENSITIVITY_FACTOR[request.vadSensitivity ?? 'default'] ?? 1,
        endpointOnSilence: this.#o.endpointOnSilence,
        onPartial: this.#o.streamingEvents ? (text) => this.#partial(text) : undefined,
        signal: this.#o.signal,
      });
      // The peer may have left while the session opened: the session's own abort hook released it.
      if (this.#state.name !== 'opening') return;
      this.#state = { name: 'streaming', ...stream, model: engine.info.name, session, partial: { started: false, sent: '' } };
    } catch (err) {
      this.#fail(stream, err);
    }
  }

  async audioChunk(format: PcmFormat, payload: Buffer): Promise<void> {
    const state = this.#state;
    switch (state.name) {
      case 'streaming':
        try {
          await state.session.push(payload, format);
          if (state.session.endpointed && this.#state === state) await this.#finish(state, 'answered');
        } catch (err) {
          // Only if this stream is still the current one (not replaced by a new request, not closed).
          if (this.#isCurrent(state)) this.#fail(state, err);
        }
        return;
      case 'idle':
      case 'chosen':
        this.#fail({ request: {}, startedAt: this.#now() }, new SatelliteError('SAT_ERR_NO_AUDIO_START', 'audio-chunk before audio-start'));
        return;
      default:
        return; // refused, answered, failed: the stream has had its answer
    }
  }

  async audioStop(): Promise<void> {
    const state = this.#state;
    switch (state.name) {
      case 'streaming':
        try {
          await this.#finish(state, 'idle');
        } catch (err) {
          this.#fail(state, err);
          this.#state = { name: 'idle' };
        }
        return;
      case 'idle':
      case 'chosen':
        // audio-stop with no audio: an empty transcript, like the reference server
        await this.#send(() => this.#o.output.transcript('', undefined));
        this.#state = { name: 'idle' };
        return;
      case 'closed':
        return;
      default:
        this.#state = { name: 'idle' };
    }
  }

  /** The peer went away: free everything, answer nothing. */
  close(): void {
    this.#drop();
    this.#state = { name: 'closed' };
  }

  async #finish(state: Extract<State, { name: 'streaming' }>, then: 'idle' | 'answered'): Promise<void> {
    this.#state = { name: 'finishing', request: state.request, startedAt: state.startedAt, model: state.model };
    const outcome = await state.session.finish();
    const language = outcome.language || undefined;
    await this.#send(() => this.#o.output.transcript(outcome.text, language));
    if (state.partial.started) await this.#send(() => this.#o.output.transcriptStop());
    if (this.#state.name === 'finishing') this.#state = { name: then };
    this.#o.onReport?.({ ok: true, ms: this.#now() - state.startedAt, model: state.model, text: outcome.text, language, audioSeconds: outcome.audioSeconds });
  }

  #partial(text: string): void {
    const state = this.#state;
    if (state.name !== 'streaming' || !text) return;
    const { partial } = state;
    // Chunks only ever append; a revised partial waits for the final transcript.
    if (!text.startsWith(partial.sent) || text === partial.sent) return;
    const delta = text.slice(partial.sent.length);
    partial.sent = text;
    if (!partial.started) {
      partial.started = true;
      void this.#send(() => this.#o.output.transcriptStart(state.request.language ?? undefined));
    }
    void this.#send(() => this.#o.output.transcriptChunk(delta));
  }

  #fail(stream: Stream, err: unknown): void {
    this.#drop();
    this.#state = { name: 'failed' };
    this.#report(stream, err);
  }

  #report(stream: Stream, err: unknown): void {
    const code = errorCode(err, 'SAT_ERR_ENGINE_FAILED');
    this.#o.onReport?.({ ok: false, ms: this.#now() - stream.startedAt, code, model: stream.model });
    void this.#send(() => this.#o.output.error(errorMessage(err), code));
  }

  #isCurrent(stream: Stream): boolean {
    const now = this.#state;
    return (now.name === 'streaming' || now.name === 'finishing') && now.startedAt === stream.startedAt;
  }

  /** Cancels the session of the current state, if it has one. */
  #drop(): void {
    if (this.#state.name === 'streaming') this.#state.session.cancel();
  }

  /** Writes in order; a peer that already left (HA closes after `transcript`) is not an error. */
  #send(write: () => Promise<void>): Promise<void> {
    this.#out = this.#out.then(write).catch(() => undefined);
    return this.#out;
  }

  #now(): number {
    return (this.#o.now ?? performance.now.bind(performance))();
  }
}
