/**
 * One Realtime response: text the client supplied, spoken by the speech service in the session's
 * voice and sent as the GA event sequence (created, output item, content part, audio and transcript
 * deltas, the done events, `response.done`). Audio is resampled to 24 kHz 16-bit mono (or 8 kHz
 * G.711 when the session asks for it). Cancelling
 * stops the synthesis and ends the response `cancelled`.
 */
import { AudioStreamConverter, floatToInt16Bytes, type PcmFormat } from '../../../audio/pcm.js';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { TtsAudioSink } from '../../../core/speech/tts-reply.js';
import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../util/logger.js';
import type { SpeechActivity } from '../speech-activity.js';
import { resolveVoice } from '../model-resolver.js';
import { errorBody, messageItem, newId, type ServerEvent } from './realtime-events.js';
import { encodeG711, type Codec } from './g711.js';
import { codecRate } from './realtime-settings.js';

export interface ResponseOptions {
  speech: SpeechService;
  config: Readonly<Pick<Config, 'http'>>;
  activity: SpeechActivity;
  text: string;
  voice: string | null;
  speed: number;
  /** What the audio deltas carry: PCM16 at 24 kHz, or G.711 at 8 kHz. */
  codec: Codec;
  conversationId: string;
  previousItemId: string | null;
  send: (event: ServerEvent) => void;
  /** Resolves once the client has read enough of the audio sent so far (backpressure). */
  drained: () => Promise<void>;
  log: Logger;
}

export type ResponseStatus = 'completed' | 'cancelled' | 'failed';

export class RealtimeResponse {
  readonly id = newId('resp');
  readonly itemId = newId('item');
  readonly #o: ResponseOptions;
  readonly #controller = new AbortController();
  #cancelled = false;
  #audioSeconds = 0;

  constructor(options: ResponseOptions) {
    this.#o = options;
  }

  /** Milliseconds of audio sent to the client so far. */
  get audioMs(): number {
    return Math.round(this.#audioSeconds * 1000);
  }

  cancel(): void {
    this.#cancelled = true;
    this.#controller.abort();
  }

  /** Runs the whole response; never throws (a failure ends it `failed`). */
  async run(): Promise<ResponseStatus> {
    const { send, text } = this.#o;
    const voiceName = this.#o.voice ?? 'alloy';
    const { codec } = this.#o;
    const rate = codecRate(codec);
    const encode = (pcm: Buffer) => (codec === 'pcm16' ? pcm : encodeG711(pcm, codec));
    const ids = { response_id: this.id, item_id: this.itemId, output_index: 0, content_index: 0 };
    const base = { id: this.id, object: 'realtime.response', conversation_id: this.#o.conversationId, output_modalities: ['audio'], audio: { output: { format: codec === 'pcm16' ? { type: 'audio/pcm', rate } : { type: `audio/${codec}` }, voice: voiceName } } };
    send({ type: 'response.created', event_id: newId('event'), response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null } });
    const pending = messageItem(this.itemId, 'assistant', 'in_progress', []);
    send({ type: 'response.output_item.added', event_id: newId('event'), response_id: this.id, output_index: 0, item: pending });
    send({ type: 'conversation.item.added', event_id: newId('event'), previous_item_id: this.#o.previousItemId, item: pending });
    send({ type: 'response.content_part.added', event_id: newId('event'), ...ids, part: { type: 'audio', transcript: '' } });
    send({ type: 'response.output_audio_transcript.delta', event_id: newId('event'), ...ids, delta: text });
    let status: ResponseStatus = 'completed';
    let failure: Record<string, unknown> | undefined;
    try {
      const choice = resolveVoice(this.#o.speech, this.#o.config, undefined, this.#o.voice ?? undefined);
      this.#o.activity.reply(text, choice.voice.name);
      let converter: AudioStreamConverter | undefined;
      let format: PcmFormat | undefined;
      const sink: TtsAudioSink = {
        start: async (f) => {
          format = f;
          converter = new AudioStreamConverter(rate);
        },
        chunk: async (pcm) => {
          if (this.#cancelled || !converter || !format) return;
          const out = floatToInt16Bytes(converter.push(pcm, format));
          this.#audioSeconds += out.length / 2 / rate;
          if (out.length > 0) send({ type: 'response.output_audio.delta', event_id: newId('event'), ...ids, delta: encode(out).toString('base64') });
          await this.#o.drained();
        },
        stop: async () => {
          if (this.#cancelled || !converter) return;
          const out = floatToInt16Bytes(converter.flush());
          this.#audioSeconds += out.length / 2 / rate;
          if (out.length > 0) send({ type: 'response.output_audio.delta', event_id: newId('event'), ...ids, delta: encode(out).toString('base64') });
        },
      };
      await this.#o.speech.speak(text, sink, { voice: { name: choice.voice.name, speaker: choice.speaker }, speed: this.#o.speed, signal: this.#controller.signal });
    } catch (err) {
      if (!this.#cancelled) {
        status = 'failed';
        const { type, code, message } = errorBody(err, null);
        failure = { type, code, message };
        this.#o.log.debug({ err }, 'realtime response failed');
      }
    }
    if (this.#cancelled) status = 'cancelled';
    const transcript = status === 'completed' ? text : '';
    const itemStatus = status === 'completed' ? 'completed' : 'incomplete';
    const done = messageItem(this.itemId, 'assistant', itemStatus, [{ type: 'output_audio', transcript }]);
    send({ type: 'response.output_audio.done', event_id: newId('event'), ...ids });
    send({ type: 'response.output_audio_transcript.done', event_id: newId('event'), ...ids, transcript });
    send({ type: 'response.content_part.done', event_id: newId('event'), ...ids, part: { type: 'audio', transcript } });
    send({ type: 'response.output_item.done', event_id: newId('event'), response_id: this.id, output_index: 0, item: done });
    send({ type: 'conversation.item.done', event_id: newId('event'), previous_item_id: this.#o.previousItemId, item: done });
    const statusDetails = status === 'cancelled' ? { type: 'cancelled', reason: 'client_cancelled' } : status === 'failed' ? { type: 'failed', error: failure } : null;
    send({
      type: 'response.done',
      event_id: newId('event'),
      response: { ...base, status, status_details: statusDetails, output: [done], usage: { total_tokens: 0, input_tokens: 0, output_tokens: 0, output_audio_seconds: Math.round(this.#audioSeconds * 1000) / 1000 } },
    });
    return status;
  }
}
