/**
 * A Realtime session's input audio buffer. Appended PCM is handled strictly in order on one chain:
 * with server VAD it runs through the speech service's Silero stream, and speech opens a user item
 * (a streaming transcription of the speech service, fed from `prefix_padding_ms` before the start)
 * that the end of speech commits; without VAD the client's commit does. Committed items are
 * transcribed in commit order, each ending in `.completed` or `.failed`.
 */
import { AudioStreamConverter, type PcmFormat } from '../../../audio/pcm.js';
import { VAD_RATE, type SttSession } from '../../../core/speech/stt-session.js';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { VadStream } from '../../../engines/vad/vad.js';
import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../util/logger.js';
import type { SpeechActivity } from '../speech-activity.js';
import { resolveAsr } from '../model-resolver.js';
import { errorBody, messageItem, newId, RealtimeError, type ServerEvent } from './realtime-events.js';
import type { RealtimeSettings, ServerVad } from './realtime-settings.js';

/** Audio kept before the current position so a speech start can reach back `prefix_padding_ms` (the VAD confirms speech late). */
const RING_LAG_MS = 2_000;
/** Audio appended but not yet processed; a client sending faster than this is told so and its audio dropped. */
export const MAX_BACKLOG_SECONDS = 30;

export interface InputOptions {
  speech: SpeechService;
  config: Readonly<Pick<Config, 'http' | 'vad'>>;
  activity: SpeechActivity;
  settings: () => RealtimeSettings;
  send: (event: ServerEvent) => void;
  log: Logger;
}

interface OpenItem {
  id: string;
  session: SttSession;
  controller: AbortController;
  /** Text already sent as transcription deltas. */
  partial: string;
}

interface RingChunk {
  atMs: number;
  bytes: Buffer;
  rate: number;
}

interface VadState {
  stream: VadStream;
  /** The settings it was opened with: a change opens a new stream. */
  key: string;
  /** Session audio time at which the stream started (its own times count from there). */
  offsetMs: number;
  converter: AudioStreamConverter;
}

type VadEvent = { type: 'start'; atS: number } | { type: 'end'; atS: number };

const pcmFormat = (rate: number): PcmFormat => ({ rate, width: 2, channels: 1 });
const chunkMs = (bytes: number, rate: number) => (Math.floor(bytes / 2) / rate) * 1000;

export class RealtimeInput {
  readonly #o: InputOptions;
  #chain: Promise<void> = Promise.resolve();
  /** Transcriptions of committed items, finished in commit order. */
  #transcripts: Promise<void> = Promise.resolve();
  #backlogSeconds = 0;
  /** Milliseconds of audio appended since the session started (the events' audio offsets). */
  #audioMs = 0;
  #ring: RingChunk[] = [];
  #vad: VadState | undefined;
  #vadMissingReported = false;
  #vadEvents: VadEvent[] = [];
  #item: OpenItem | undefined;
  /** Committed items whose transcription has not finished (cancelled if the session closes). */
  readonly #committed = new Set<OpenItem>();
  #lastItemId: string | null = null;
  #closed = false;

  constructor(options: InputOptions) {
    this.#o = options;
  }

  /** Queues decoded PCM; refused when the backlog is already {@link MAX_BACKLOG_SECONDS}. */
  append(bytes: Buffer, clientEventId: string | null): void {
    const rate = this.#o.settings().inputRate;
    const seconds = chunkMs(bytes.length, rate) / 1000;
    if (this.#backlogSeconds + seconds > MAX_BACKLOG_SECONDS) {
      throw new RealtimeError(`more than ${MAX_BACKLOG_SECONDS} s of audio is waiting to be processed; send it at about real-time pace`, 'input_audio_buffer_overflow', 'audio');
    }
    this.#backlogSeconds += seconds;
    this.#enqueue(clientEventId, async () => {
      this.#backlogSeconds -= seconds;
      await this.#process(bytes, rate);
    });
  }

  commit(clientEventId: string | null): void {
    this.#enqueue(clientEventId, async () => {
      if (!this.#item) throw new RealtimeError('the input audio buffer holds no speech to commit', 'input_audio_buffer_commit_empty');
      this.#commit();
    });
  }

  clear(clientEventId: string | null): void {
    this.#enqueue(clientEventId, async () => {
      this.#dropItem();
      this.#ring = [];
      this.#closeVad();
      this.#o.send({ type: 'input_audio_buffer.cleared', event_id: newId('event') });
    });
  }

  /** Waits for everything queued and every transcription (tests, benchmarks and orderly close). */
  async settled(): Promise<void> {
    await this.#chain;
    await this.#transcripts;
  }

  close(): void {
    this.#closed = true;
    this.#dropItem();
    for (const item of this.#committed) {
      item.controller.abort();
      item.session.cancel();
    }
    this.#committed.clear();
    this.#closeVad();
    this.#ring = [];
  }

  #enqueue(clientEventId: string | null, task: () => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#closed) return;
      try {
        await task();
      } catch (err) {
        if (this.#closed) return;
        this.#o.log.debug({ err }, 'realtime input event failed');
        // The item being filled is lost with the failed audio; the next speech opens a new one.
        if (!(err instanceof RealtimeError)) this.#dropItem();
        this.#o.send({ type: 'error', event_id: newId('event'), error: errorBody(err, clientEventId) });
      }
    });
  }

  async #process(bytes: Buffer, rate: number): Promise<void> {
    const startMs = this.#audioMs;
    this.#audioMs += chunkMs(bytes.length, rate);
    const vadSettings = this.#o.settings().vad;
    const vad = vadSettings ? await this.#ensureVad(vadSettings) : undefined;
    if (!vadSettings || !vad) {
      this.#closeVad();
      this.#item ??= await this.#openItem();
      await this.#item.session.push(bytes, pcmFormat(rate));
      return;
    }
    this.#ring.push({ atMs: startMs, bytes, rate });
    const keepFrom = this.#audioMs - vadSettings.prefixPaddingMs - RING_LAG_MS;
    while (this.#ring.length > 1 && this.#ring[1]!.atMs <= keepFrom) this.#ring.shift();
    await vad.stream.accept(vad.converter.push(bytes, pcmFormat(rate)));
    const events = this.#vadEvents.splice(0);
    // An item open before this chunk takes all of it; one opened by a start below takes it from the ring.
    if (this.#item) await this.#item.session.push(bytes, pcmFormat(rate));
    for (const event of events) {
      const atMs = Math.round(vad.offsetMs + event.atS * 1000);
      if (event.type === 'start' && !this.#item) {
        const fromMs = Math.max(0, atMs - vadSettings.prefixPaddingMs);
        const item = await this.#openItem();
        this.#item = item;
        this.#o.send({ type: 'input_audio_buffer.speech_started', event_id: newId('event'), audio_start_ms: fromMs, item_id: item.id });
        for (const chunk of this.#ring) {
          const endMs = chunk.atMs + chunkMs(chunk.bytes.length, chunk.rate);
          if (endMs <= fromMs) continue;
          const skipBytes = chunk.atMs < fromMs ? Math.floor(((fromMs - chunk.atMs) / 1000) * chunk.rate) * 2 : 0;
          await item.session.push(chunk.bytes.subarray(skipBytes), pcmFormat(chunk.rate));
        }
      } else if (event.type === 'end' && this.#item) {
        this.#o.send({ type: 'input_audio_buffer.speech_stopped', event_id: newId('event'), audio_end_ms: atMs, item_id: this.#item.id });
        this.#commit();
      }
    }
  }

  /** The VAD stream for these settings (a new one when they changed), or undefined when no VAD is installed. */
  async #ensureVad(settings: ServerVad): Promise<VadState | undefined> {
    const key = `${settings.threshold}/${settings.silenceDurationMs}`;
    if (this.#vad?.key === key) return this.#vad;
    this.#closeVad();
    const stream = await this.#o.speech.openVad({
      threshold: settings.threshold,
      minSilenceSeconds: settings.silenceDurationMs / 1000,
      minSpeechSeconds: this.#o.config.vad.min_speech_s,
      // Time of the window the event was found in: its audio has all been appended by then.
      onSpeechStart: (start) => this.#vadEvents.push({ type: 'start', atS: start }),
      onSpeechEnd: () => this.#vadEvents.push({ type: 'end', atS: this.#vad?.stream.time ?? 0 }),
    });
    if (!stream) {
      if (!this.#vadMissingReported) {
        this.#vadMissingReported = true;
        this.#o.send({
          type: 'error',
          event_id: newId('event'),
          error: { type: 'invalid_request_error', code: 'vad_unavailable', message: 'no voice activity model is installed: server_vad is off, commit the buffer yourself', param: 'session.audio.input.turn_detection', event_id: null },
        });
      }
      return undefined;
    }
    this.#vad = { stream, key, offsetMs: this.#audioMs, converter: new AudioStreamConverter(VAD_RATE) };
    return this.#vad;
  }

  #closeVad(): void {
    this.#vad?.stream.close();
    this.#vad = undefined;
    this.#vadEvents = [];
  }

  async #openItem(): Promise<OpenItem> {
    const { transcription } = this.#o.settings();
    const language = transcription.language ?? undefined;
    const engine = resolveAsr(this.#o.speech, this.#o.config, transcription.model, language, 'transcribe');
    const controller = new AbortController();
    const id = newId('item');
    const item: OpenItem = { id, session: undefined as unknown as SttSession, controller, partial: '' };
    const { session } = await this.#o.speech.openTranscription({
      name: engine.info.name,
      language,
      signal: controller.signal,
      onPartial: (text) => this.#partial(item, text),
    });
    item.session = session;
    return item;
  }

  /** Partials become deltas while they only grow; a revised partial waits for the final transcript. */
  #partial(item: OpenItem, text: string): void {
    if (this.#closed || !text.startsWith(item.partial) || text.length === item.partial.length) return;
    const delta = text.slice(item.partial.length);
    item.partial = text;
    this.#o.activity.partial(item.id, text);
    this.#o.send({ type: 'conversation.item.input_audio_transcription.delta', event_id: newId('event'), item_id: item.id, content_index: 0, delta });
  }

  #commit(): void {
    const item = this.#item!;
    this.#item = undefined;
    const previous = this.#lastItemId;
    this.#lastItemId = item.id;
    this.#o.send({ type: 'input_audio_buffer.committed', event_id: newId('event'), previous_item_id: previous, item_id: item.id });
    const described = messageItem(item.id, 'user', 'completed', [{ type: 'input_audio', transcript: null }]);
    this.#o.send({ type: 'conversation.item.added', event_id: newId('event'), previous_item_id: previous, item: described });
    this.#o.send({ type: 'conversation.item.done', event_id: newId('event'), previous_item_id: previous, item: described });
    this.#committed.add(item);
    this.#transcripts = this.#transcripts.then(() => this.#transcribe(item));
  }

  async #transcribe(item: OpenItem): Promise<void> {
    try {
      if (this.#closed) return;
      const outcome = await item.session.finish();
      if (this.#closed) return;
      this.#o.send({
        type: 'conversation.item.input_audio_transcription.completed',
        event_id: newId('event'),
        item_id: item.id,
        content_index: 0,
        transcript: outcome.text,
        usage: { type: 'duration', seconds: Math.round(outcome.audioSeconds * 1000) / 1000 },
      });
      this.#o.activity.transcript(outcome.text, outcome.language ?? null, item.id);
    } catch (err) {
      if (this.#closed) return;
      this.#o.log.debug({ err }, 'realtime transcription failed');
      const { type, code, message, param } = errorBody(err, null);
      this.#o.send({ type: 'conversation.item.input_audio_transcription.failed', event_id: newId('event'), item_id: item.id, content_index: 0, error: { type, code, message, param } });
    } finally {
      this.#committed.delete(item);
    }
  }

  #dropItem(): void {
    const item = this.#item;
    this.#item = undefined;
    if (!item) return;
    item.controller.abort();
    item.session?.cancel();
  }
}
