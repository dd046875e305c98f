/**
 * The Wyoming `tts` service of the provider endpoint: turns `synthesize…` events into audio on the
 * connection through a {@link TtsSession}, with the voice, cleanup and cache of the speech
 * service. Counts requests on the bus (`provider-request`).
 */
import type { CoreBus } from '../../core/bus.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import { TtsSession, type TtsRequestResult } from '../../core/speech/tts-session.js';
import type { VoiceQuery } from '../../core/speech/select-voice.js';
import { eventFrame, type WyomingEvent } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';
import type { WyomingConnection } from './wyoming-connection.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';

export interface TtsServiceOptions {
  speech: SpeechService;
  bus: CoreBus;
  log: Logger;
}

export function createTtsService(options: TtsServiceOptions): TtsProviderService {
  return new TtsProviderService(options);
}

/** Wyoming's voice object as it arrives (every field may be null). */
function voiceQuery(voice: { name?: string | null; speaker?: string | null; language?: string | null } | null | undefined): VoiceQuery {
  return { name: voice?.name, speaker: voice?.speaker, language: voice?.language };
}

export class TtsProviderService implements ProviderService {
  readonly name = 'tts';
  readonly controlEvents = ['synthesize', 'synthesize-start', 'synthesize-chunk', 'synthesize-stop'] as const;
  readonly takesAudio = false;
  readonly #o: TtsServiceOptions;

  constructor(options: TtsServiceOptions) {
    this.#o = options;
  }

  /** Sentences served from the cache so far (tests; request counts go to the bus). */
  get cacheHits(): number {
    return this.#o.speech.settings.tts.cache?.hits ?? 0;
  }

  open(connection: WyomingConnection): ServiceHandler {
    const o = this.#o;
    // Every audio-chunk repeats its stream's format, remembered from audio-start.
    let format = { rate: 0, width: 0, channels: 0 };
    const session = new TtsSession({
      resolve: (query) => o.speech.pickVoice(query),
      createReply: (choice, sink, signal, onError) => o.speech.createReply(choice, sink, signal, onError),
      output: {
        start: (f) => {
          format = { rate: f.rate, width: f.width, channels: f.channels };
          return connection.sendEvent('audio-start', format);
        },
        chunk: (pcm) => connection.sendEvent('audio-chunk', format, pcm),
        chunks: (pcms) => connection.send(pcms.map((pcm) => eventFrame('audio-chunk', format, pcm))),
        stop: () => connection.sendEvent('audio-stop', {}),
        stopped: () => connection.sendEvent('synthesize-stopped', {}),
        error: (text, code) => connection.sendError(text, code),
      },
      maxTextChars: o.speech.settings.tts.maxTextChars,
      signal: connection.signal,
      onRequest: (result) => this.#record(connection, result),
    });
    return {
      onEvent: (event: WyomingEvent) => this.#onEvent(session, event),
      close: () => session.close(),
      busy: () => session.active,
    };
  }

  async #onEvent(session: TtsSession, event: WyomingEvent): Promise<void> {
    switch (event.type) {
      case 'synthesize':
        this.#o.bus.emit('speech-reply', { text: event.data.text, voice: event.data.voice?.name ?? null, source: 'provider', via: 'wyoming', at: new Date() });
        return session.synthesize(event.data.text, voiceQuery(event.data.voice));
      case 'synthesize-start':
        return session.start(voiceQuery(event.data.voice));
      case 'synthesize-chunk':
        return session.chunk(event.data.text);
      case 'synthesize-stop':
        return session.stop();
      default:
        return undefined;
    }
  }

  #record(connection: WyomingConnection, result: TtsRequestResult): void {
    this.#o.bus.emit('provider-request', { service: 'tts', ok: result.ok, ms: result.ms, ...(result.code ? { code: result.code } : {}) });
    const level = result.ok ? 'debug' : 'info';
    connection.log[level]({ ...result }, 'tts request finished');
  }
}
