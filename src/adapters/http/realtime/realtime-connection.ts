/**
 * One Realtime WebSocket session: reads client events (bounded in size, JSON objects with a
 * `type`), dispatches them to the input buffer and the response runner, and sends server events.
 * Sending is bounded: a client whose unread events pass `max_buffered_bytes` is closed, and the
 * session ends after `max_session_s`. Whatever way it ends, every speech session is released.
 */
import type { WebSocket } from 'ws';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../util/logger.js';
import type { SpeechActivity } from '../speech-activity.js';
import { decodeG711 } from './g711.js';
import { errorBody, messageItem, newId, RealtimeError, type ServerEvent } from './realtime-events.js';
import { RealtimeInput } from './realtime-input.js';
import { ConversationItems } from './realtime-items.js';
import { RealtimeResponse } from './realtime-response.js';
import { applyUpdate, defaultSettings, describeSession, type RealtimeSettings } from './realtime-settings.js';

/** Close codes: 1008 policy (limits), 1011 server error, 1013 try again later (slow client). */
const CLOSE_POLICY = 1008;
const CLOSE_OVERLOADED = 1013;
const CLOSE_GOING_AWAY = 1001;

/** A response waiting this long for the client to read its audio gives up on the client. */
const STALL_MS = 5_000;
const DRAIN_POLL_MS = 10;

/** Characters of text one response may speak is the speech service's own limit; items queued for one are bounded too. */
const MAX_PENDING_ITEMS = 64;

export const NO_TEXT_NOTICE =
  'this server turns speech into text and speaks text it is given; it generates no text of its own: send the words to speak as response.create instructions or an assistant conversation item';

export interface ConnectionOptions {
  ws: WebSocket;
  speech: SpeechService;
  config: Readonly<Pick<Config, 'http' | 'vad'>>;
  activity: SpeechActivity;
  type: RealtimeSettings['type'];
  model: string;
  log: Logger;
  onClose: () => void;
}

type Json = Record<string, unknown>;

export class RealtimeConnection {
  readonly id = newId('sess');
  readonly #o: ConnectionOptions;
  readonly #limits: Config['http']['realtime'];
  readonly #expiresAt: number;
  readonly #timer: NodeJS.Timeout;
  #settings: RealtimeSettings;
  readonly #input: RealtimeInput;
  #response: RealtimeResponse | undefined;
  /** Assistant text added with conversation.item.create, by item, spoken by the next response.create. */
  #pendingText: Array<{ id: string; text: string }> = [];
  /** What the client has been told of each item (retrieve, delete, truncate). */
  readonly #items = new ConversationItems();
  #lastItemId: string | null = null;
  readonly #conversationId = newId('conv');
  #closed = false;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#limits = options.config.http.realtime;
    this.#settings = defaultSettings(options.type, options.model, options.config.vad.threshold);
    this.#expiresAt = Math.floor(Date.now() / 1000) + this.#limits.max_session_s;
    this.#input = new RealtimeInput({ speech: options.speech, config: options.config, activity: options.activity, settings: () => this.#settings, send: (e) => this.send(e), log: options.log });
    this.#timer = setTimeout(() => this.#expire(), this.#limits.max_session_s * 1000);
    this.#timer.unref();
    const { ws } = options;
    ws.on('message', (data, isBinary) => this.#message(data as Buffer, isBinary));
    ws.on('close', () => this.#release());
    ws.on('error', (err) => options.log.debug({ err }, 'realtime socket error'));
    this.send({ type: 'session.created', event_id: newId('event'), session: this.#describe(), notice: NO_TEXT_NOTICE });
  }

  /**
   * Waits until the client has read most of what was sent (synthesis produces audio faster than a
   * socket drains, so responses pace themselves here). A client that reads nothing for
   * {@link STALL_MS} is closed.
   */
  async drained(): Promise<void> {
    const { ws } = this.#o;
    const soft = this.#limits.max_buffered_bytes / 4;
    const since = Date.now();
    while (!this.#closed && ws.bufferedAmount > soft) {
      if (Date.now() - since > STALL_MS) return this.#slowClient();
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  #slowClient(): void {
    const { ws } = this.#o;
    this.#o.log.warn({ buffered: ws.bufferedAmount, limit: this.#limits.max_buffered_bytes, code: 'SAT_ERR_REALTIME_SLOW_CLIENT' }, 'realtime client stopped reading: closing it');
    this.close(CLOSE_OVERLOADED, 'client is not reading its events');
    ws.terminate();
  }

  /** Sends one event, or closes a client whose unread events pass the bound. */
  send(event: ServerEvent): void {
    const { ws } = this.#o;
    if (this.#closed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.#limits.max_buffered_bytes) return this.#slowClient();
    this.#items.observe(event);
    ws.send(JSON.stringify(event));
  }

  /** Ends the session (shutdown, limits). */
  close(code = CLOSE_GOING_AWAY, reason = 'server shutting down'): void {
    if (this.#closed) return;
    this.#release();
    this.#o.ws.close(code, reason);
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#response?.cancel();
    this.#input.close();
    this.#pendingText = [];
    this.#o.onClose();
  }

  #expire(): void {
    this.send({ type: 'error', event_id: newId('event'), error: { type: 'invalid_request_error', code: 'session_expired', message: `the session reached its limit of ${this.#limits.max_session_s} s`, param: null, event_id: null } });
    this.close(CLOSE_POLICY, 'session expired');
  }

  #describe(): Json {
    return describeSession(this.id, this.#settings, this.#expiresAt);
  }

  #error(err: unknown, clientEventId: string | null): void {
    this.send({ type: 'error', event_id: newId('event'), error: errorBody(err, clientEventId) });
  }

  #message(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    let clientEventId: string | null = null;
    try {
      if (isBinary) throw new RealtimeError('client events are JSON text messages', 'invalid_event');
      if (data.length > this.#limits.max_message_bytes) {
        throw new RealtimeError(`the event is ${data.length} bytes; the limit is ${this.#limits.max_message_bytes}`, 'message_too_large');
      }
      let event: unknown;
      try {
        event = JSON.parse(data.toString('utf8'));
      } catch {
        throw new RealtimeError('the event is not valid JSON', 'invalid_json');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new RealtimeError('an event must be a JSON object', 'invalid_event');
      const e = event as Json;
      if (typeof e['event_id'] === 'string') clientEventId = e['event_id'].slice(0, 200);
      if (typeof e['type'] !== 'string') throw new RealtimeError("the event has no 'type'", 'invalid_event', 'type');
      this.#dispatch(e['type'], e, clientEventId);
    } catch (err) {
      this.#error(err, clientEventId);
    }
  }

  #dispatch(type: string, e: Json, clientEventId: string | null): void {
    switch (type) {
      case 'session.update':
      case 'transcription_session.update':
        this.#settings = applyUpdate(this.#settings, e['session']);
        if (type === 'transcription_session.update') this.#settings = { ...this.#settings, type: 'transcription' };
        this.send({ type: type === 'session.update' ? 'session.updated' : 'transcription_session.updated', event_id: newId('event'), session: this.#describe() });
        return;
      case 'input_audio_buffer.append': {
        const bytes = decodeAudio(e['audio']);
        const codec = this.#settings.inputCodec;
        this.#input.append(codec === 'pcm16' ? bytes : decodeG711(bytes, codec), clientEventId);
        return;
      }
      case 'input_audio_buffer.commit':
        this.#input.commit(clientEventId);
        return;
      case 'input_audio_buffer.clear':
        this.#input.clear(clientEventId);
        return;
      case 'conversation.item.create':
        this.#createItem(e['item'], e['previous_item_id']);
        return;
      case 'response.create':
        this.#respond(e['response'], clientEventId);
        return;
      case 'response.cancel':
        if (!this.#response) throw new RealtimeError('there is no response in progress to cancel', 'response_cancel_not_active');
        this.#response.cancel();
        return;
      case 'output_audio_buffer.clear':
        this.send({ type: 'output_audio_buffer.cleared', event_id: newId('event') });
        return;
      case 'conversation.item.retrieve':
        this.send({ type: 'conversation.item.retrieved', event_id: newId('event'), item: this.#item(e['item_id']) });
        return;
      case 'conversation.item.delete':
        this.#deleteItem(e['item_id']);
        return;
      case 'conversation.item.truncate':
        this.#truncateItem(e);
        return;
      default:
        throw new RealtimeError(`unknown or unsupported event type '${type.slice(0, 100)}'`, 'invalid_event_type', 'type');
    }
  }

  #createItem(item: unknown, previous: unknown): void {
    const text = itemText(item, 'item');
    const role = (item as Json)['role'] as 'user' | 'assistant' | 'system';
    const id = typeof (item as Json)['id'] === 'string' ? String((item as Json)['id']).slice(0, 64) : newId('item');
    if (role === 'assistant') {
      if (this.#pendingText.length >= MAX_PENDING_ITEMS) throw new RealtimeError(`at most ${MAX_PENDING_ITEMS} assistant items wait for a response`, 'too_many_items', 'item');
      this.#o.speech.checkText(text, this.#pendingText.map((p) => p.text).join(' ').length + text.length);
      this.#pendingText.push({ id, text });
    }
    const previousId = typeof previous === 'string' ? previous : this.#lastItemId;
    const described = messageItem(id, role, 'completed', [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }]);
    this.#lastItemId = id;
    this.send({ type: 'conversation.item.added', event_id: newId('event'), previous_item_id: previousId, item: described });
    this.send({ type: 'conversation.item.done', event_id: newId('event'), previous_item_id: previousId, item: described });
  }

  #respond(options: unknown, clientEventId: string | null): void {
    if (this.#response) throw new RealtimeError('a response is already in progress; cancel it or wait for response.done', 'conversation_already_has_active_response');
    const o = (typeof options === 'object' && options !== null ? options : {}) as Json;
    const parts: string[] = [];
    if (typeof o['instructions'] === 'string' && o['instructions'].trim()) parts.push(o['instructions']);
    if (Array.isArray(o['input'])) for (const item of o['input'].slice(0, MAX_PENDING_ITEMS)) if ((item as Json)?.['role'] === 'assistant') parts.push(itemText(item, 'response.input'));
    const fromItems = parts.length === 0;
    if (fromItems) parts.push(...this.#pendingText.map((p) => p.text));
    const text = parts.join(' ').trim();
    if (!text) {
      throw new RealtimeError(
        `nothing to speak: ${NO_TEXT_NOTICE}`,
        'SAT_ERR_REALTIME_NO_TEXT',
        'response.instructions',
      );
    }
    this.#o.speech.checkText(text);
    if (fromItems) this.#pendingText = [];
    const audio = o['audio'] as Json | undefined;
    const voiceOverride = audio && typeof audio === 'object' ? ((audio['output'] as Json | undefined)?.['voice'] as unknown) : o['voice'];
    const response = new RealtimeResponse({
      speech: this.#o.speech,
      config: this.#o.config,
      activity: this.#o.activity,
      text,
      voice: typeof voiceOverride === 'string' ? voiceOverride : this.#settings.voice,
      speed: this.#settings.speed,
      codec: this.#settings.outputCodec,
      conversationId: this.#conversationId,
      previousItemId: this.#lastItemId,
      send: (event) => this.send(event),
      drained: () => this.drained(),
      log: this.#o.log,
    });
    this.#response = response;
    this.#lastItemId = response.itemId;
    void response
      .run()
      .catch((err: unknown) => this.#error(err, clientEventId))
      .finally(() => {
        this.#items.setAudioMs(response.itemId, response.audioMs);
        if (this.#response === response) this.#response = undefined;
      });
  }

  /** The item a client event names; `item_not_found` when the session has no such item (or forgot it). */
  #item(itemId: unknown): Record<string, unknown> {
    if (typeof itemId !== 'string' || !itemId) throw new RealtimeError("'item_id' must be an item's id", 'invalid_value', 'item_id');
    const item = this.#items.get(itemId);
    if (!item) throw new RealtimeError(`no item '${itemId.slice(0, 100)}' in this conversation`, 'item_not_found', 'item_id');
    return item;
  }

  #deleteItem(itemId: unknown): void {
    const item = this.#item(itemId);
    const id = String(item['id']);
    this.#items.delete(id);
    // An assistant text not spoken yet is no longer spoken.
    this.#pendingText = this.#pendingText.filter((p) => p.id !== id);
    this.send({ type: 'conversation.item.deleted', event_id: newId('event'), item_id: id });
  }

  /**
   * The client heard an assistant item's audio only up to `audio_end_ms` (it was interrupted):
   * the item's transcript is dropped, and a response still speaking it stops there.
   */
  #truncateItem(e: Json): void {
    const item = this.#item(e['item_id']);
    const id = String(item['id']);
    const contentIndex = e['content_index'] ?? 0;
    const audioEndMs = e['audio_end_ms'];
    if (item['role'] !== 'assistant') throw new RealtimeError('only assistant audio can be truncated', 'invalid_value', 'item_id');
    if (contentIndex !== 0) throw new RealtimeError('content_index must be 0 (an assistant item has one audio part)', 'invalid_value', 'content_index');
    if (typeof audioEndMs !== 'number' || !Number.isInteger(audioEndMs) || audioEndMs < 0) {
      throw new RealtimeError('audio_end_ms must be a whole number of milliseconds, 0 or more', 'invalid_value', 'audio_end_ms');
    }
    const active = this.#response?.itemId === id ? this.#response : undefined;
    const sentMs = active ? active.audioMs : this.#items.audioMs(id);
    if (sentMs === undefined) throw new RealtimeError('the item has no audio to truncate', 'invalid_value', 'item_id');
    if (audioEndMs > sentMs) throw new RealtimeError(`audio_end_ms ${audioEndMs} is past the ${sentMs} ms of audio sent for the item`, 'invalid_value', 'audio_end_ms');
    active?.cancel();
    this.#items.clearTranscript(id, 0);
    this.send({ type: 'conversation.item.truncated', event_id: newId('event'), item_id: id, content_index: 0, audio_end_ms: audioEndMs });
  }
}

/** Decodes an append's base64 audio strictly (a stray character is an error, not silence). */
function decodeAudio(audio: unknown): Buffer {
  if (typeof audio !== 'string') throw new RealtimeError("'audio' must be a base64 string of 16-bit PCM", 'invalid_value', 'audio');
  if (audio.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(audio)) throw new RealtimeError("'audio' is not valid base64", 'invalid_base64', 'audio');
  return Buffer.from(audio, 'base64');
}

/** The text of a message item's text parts (input_text, output_text, text). */
function itemText(item: unknown, param: string): string {
  if (typeof item !== 'object' || item === null) throw new RealtimeError(`${param} must be an object`, 'invalid_value', param);
  const i = item as Json;
  if (i['type'] !== undefined && i['type'] !== 'message') throw new RealtimeError(`only message items are supported (${param}.type)`, 'unsupported_item_type', `${param}.type`);
  if (i['role'] !== 'user' && i['role'] !== 'assistant' && i['role'] !== 'system') throw new RealtimeError(`${param}.role must be user, assistant or system`, 'invalid_value', `${param}.role`);
  if (!Array.isArray(i['content'])) throw new RealtimeError(`${param}.content must be an array`, 'invalid_value', `${param}.content`);
  const texts: string[] = [];
  for (const part of i['content'] as unknown[]) {
    const p = part as Json;
    if (p && (p['type'] === 'input_text' || p['type'] === 'output_text' || p['type'] === 'text') && typeof p['text'] === 'string') texts.push(p['text']);
    else throw new RealtimeError(`${param}.content holds text parts only here (input_text, output_text, text)`, 'unsupported_content_type', `${param}.content`);
  }
  return texts.join(' ');
}
