/**
 * The Wyoming `tts` service of the provider endpoint: advertises every installed voice and turns
 * `synthesize…` events into audio on the connection through a {@link TtsSession}. Counts requests
 * on the bus (`provider-request`).
 */
import type { TtsEngine } from '../../engines/tts/tts.js';
import type { CoreBus } from '../../core/bus.js';
import { TtsCache } from '../../core/tts-cache.js';
import { TtsReply } from '../../core/tts-reply.js';
import { TtsSession, type TtsRequestResult } from '../../core/tts-session.js';
import { allVoices, resolveVoice, type VoiceQuery } from '../../core/tts-voices.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import type { InfoParts } from '../../wyoming/info.js';
import type { Logger } from '../../util/logger.js';
import type { WyomingConnection } from './wyoming-connection.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';

export const TTS_PROGRAM_NAME = 'speech-satellite-tts';
const PROJECT_ATTRIBUTION = { name: 'speech-satellite', url: 'https://github.com/speech-satellite/speech-satellite' };

export interface TtsServiceOptions {
  /** The live registry (`ctx.engines.tts`); read at every request and `describe`. */
  engines: ReadonlyMap<string, TtsEngine>;
  defaultVoice: string | null;
  maxTextChars: number;
  speed: number;
  samplesPerChunk: number;
  /** Null disables caching. */
  cache: TtsCache | null;
  bus: CoreBus;
  log: Logger;
  version: string;
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
    return this.#o.cache?.hits ?? 0;
  }

  info(): InfoParts {
    const voices = allVoices(this.#o.engines).map(({ voice }) => ({
      name: voice.name,
      description: voice.description,
      languages: voice.languages,
      version: voice.version,
      attribution: voice.attribution,
      speakers: voice.speakers,
    }));
    if (voices.length === 0) return {};
    return {
      tts: [
        {
          name: TTS_PROGRAM_NAME,
          description: 'Piper, Kokoro and eSpeak NG voices',
          version: this.#o.version,
          attribution: PROJECT_ATTRIBUTION,
          voices,
          supportsSynthesizeStreaming: true,
        },
      ],
    };
  }

  open(connection: WyomingConnection): ServiceHandler {
    const o = this.#o;
    // Every audio-chunk repeats its stream's format, remembered from audio-start.
    let format = { rate: 0, width: 0, channels: 0 };
    const session = new TtsSession({
      resolve: (query) => resolveVoice(o.engines, query, o.defaultVoice),
      createReply: (choice, sink, signal, onError) =>
        new TtsReply({ choice, sink, signal, onError, speed: o.speed, samplesPerChunk: o.samplesPerChunk, cache: o.cache ?? undefined }),
      output: {
        start: (f) => {
          format = { rate: f.rate, width: f.width, channels: f.channels };
          return connection.sendEvent('audio-start', format);
        },
        chunk: (pcm) => connection.sendEvent('audio-chunk', format, pcm),
        stop: () => connection.sendEvent('audio-stop', {}),
        stopped: () => connection.sendEvent('synthesize-stopped', {}),
        error: (text, code) => connection.sendError(text, code),
      },
      maxTextChars: o.maxTextChars,
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
