/**
 * The provider endpoint's `asr` service (Home Assistant's STT flow, wyoming-protocol.md §4.2):
 * `transcribe {name?, language?}` picks the model, `audio-start` / `audio-chunk` / `audio-stop`
 * carry the speech, `transcript {text, language}` answers. Streaming models also send
 * `transcript-start` / `transcript-chunk` while audio arrives and `transcript-stop` after the full
 * transcript. Failures become `error {text, code}`; the connection stays usable.
 */
import type { AsrEngine } from '../../engines/asr/asr.js';
import type { VadFactory } from '../../engines/vad/vad.js';
import type { CoreBus } from '../../core/bus.js';
import { SttSession, type SttVadSettings } from '../../core/stt-session.js';
import { checkFormat } from '../../audio/pcm.js';
import { onAbort } from '../../util/abort.js';
import { pickAsrEngine } from '../../core/stt-select.js';
import { errorCode, errorMessage, SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { EventOf, WyomingEvent } from '../../wyoming/events.js';
import type { InfoParts } from '../../wyoming/info.js';
import type { WyomingConnection } from './wyoming-connection.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';

export interface AsrServiceSettings {
  defaultModel: string | null;
  maxUtteranceSeconds: number;
  streamingEvents: boolean;
  endpointOnSilence: boolean;
  trimSilence: boolean;
  vad: SttVadSettings;
}

export interface AsrServiceDeps {
  /** Installed models, in preference order (a live map: rescans change it). */
  engines: () => ReadonlyMap<string, AsrEngine>;
  vad: () => VadFactory | undefined;
  settings: AsrServiceSettings;
  bus: CoreBus;
  log: Logger;
  version: string;
}

/** `transcribe {vad_sensitivity}`: how much silence ends speech, relative to the configured value. */
const VAD_SENSITIVITY_FACTOR: Record<string, number> = { relaxed: 1.5, default: 1, aggressive: 0.6 };

export const ASR_PROGRAM = { name: 'speech-satellite-stt', url: 'https://github.com/speech-satellite/speech-satellite' };

export function createAsrService(deps: AsrServiceDeps): ProviderService {
  return {
    name: 'asr',
    controlEvents: ['transcribe'],
    takesAudio: true,
    defaultAudio: true,
    info: () => asrInfo(deps),
    open: (connection) => new AsrHandler(deps, connection),
  };
}

function asrInfo(deps: AsrServiceDeps): InfoParts {
  const engines = [...deps.engines().values()];
  if (engines.length === 0) return {};
  const streaming = deps.settings.streamingEvents && engines.some((e) => e.info.streaming);
  return {
    asr: [
      {
        name: ASR_PROGRAM.name,
        description: 'Local speech-to-text (sherpa-onnx, Vosk)',
        version: deps.version,
        attribution: { name: 'speech-satellite', url: ASR_PROGRAM.url },
        models: engines.map((e) => ({
          name: e.info.name,
          description: e.info.description,
          languages: [...e.info.languages],
          version: e.info.version,
          attribution: e.info.attribution,
        })),
        supportsTranscriptStreaming: streaming,
        ...(deps.settings.endpointOnSilence && deps.vad() ? { requiresExternalVad: false } : {}),
      },
    ],
  };
}

/** Per-connection state: one request at a time. */
class AsrHandler implements ServiceHandler {
  #request: { name?: string | null | undefined; language?: string | null | undefined; silenceFactor: number } | undefined;
  #session: SttSession | undefined;
  #engine: AsrEngine | undefined;
  #startedAt = 0;
  /** An error was reported for the current audio stream; its remaining events are ignored. */
  #failed = false;
  #done = false;
  #streamStarted = false;
  #sentText = '';
  /** The final transcript is being decoded (after audio-stop or the VAD endpoint). */
  #finishing = false;
  #out: Promise<void> = Promise.resolve();
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: AsrServiceDeps,
    private readonly connection: WyomingConnection,
  ) {
    onAbort(connection.signal, () => this.close());
  }

  busy(): boolean {
    return this.#session !== undefined || this.#finishing;
  }

  async onEvent(event: WyomingEvent): Promise<void> {
    switch (event.type) {
      case 'transcribe':
        return this.#transcribe(event);
      case 'audio-start':
        return this.#audioStart(event);
      case 'audio-chunk':
        return this.#audioChunk(event);
      case 'audio-stop':
        return this.#audioStop();
      default:
        return;
    }
  }

  close(): void {
    this.#abort.abort();
    this.#session?.cancel();
    this.#session = undefined;
  }

  #transcribe(event: EventOf<'transcribe'>): void {
    this.#reset();
    this.#request = {
      name: event.data.name,
      language: event.data.language,
      silenceFactor: VAD_SENSITIVITY_FACTOR[event.data.vad_sensitivity ?? 'default'] ?? 1,
    };
    try {
      this.#engine = this.#select();
    } catch (err) {
      this.#fail(err);
    }
  }

  #select(): AsrEngine {
    const { name, language } = this.#request ?? {};
    return pickAsrEngine(this.deps.engines(), { name: name ?? undefined, language: language ?? undefined, defaultModel: this.deps.settings.defaultModel });
  }

  async #audioStart(event: EventOf<'audio-start'>): Promise<void> {
    this.#session?.cancel();
    this.#session = undefined;
    if (this.#failed && this.#engine === undefined && this.#request) return; // transcribe already refused
    this.#failed = false;
    this.#done = false;
    this.#streamStarted = false;
    this.#sentText = '';
    this.#startedAt = performance.now();
    try {
      // The declared format is checked before any engine work is opened for it.
      checkFormat(event.data);
      const engine = this.#engine ?? this.#select();
      this.#engine = engine;
      const { settings } = this.deps;
      const session = await SttSession.open({
        engine,
        vad: this.deps.vad(),
        vadSettings: { ...settings.vad, minSilenceSeconds: settings.vad.minSilenceSeconds * (this.#request?.silenceFactor ?? 1) },
        language: this.#request?.language ?? undefined,
        maxUtteranceSeconds: settings.maxUtteranceSeconds,
        endpointOnSilence: settings.endpointOnSilence,
        trimSilence: settings.trimSilence,
        onPartial: settings.streamingEvents ? (text) => this.#partial(text) : undefined,
        signal: this.#abort.signal,
      });
      // The client may have left while the session opened: the session's own abort hook has
      // released it, and nothing is stored.
      if (this.#abort.signal.aborted) return;
      this.#session = session;
    } catch (err) {
      this.#fail(err);
    }
  }

  async #audioChunk(event: EventOf<'audio-chunk'>): Promise<void> {
    if (this.#failed || this.#done) return;
    const session = this.#session;
    if (!session) {
      this.#fail(new SatelliteError('SAT_ERR_NO_AUDIO_START', 'audio-chunk before audio-start'));
      return;
    }
    try {
      await session.push(event.payload ?? Buffer.alloc(0), event.data);
      if (session.endpointed && !this.#done) await this.#finalize();
    } catch (err) {
      this.#fail(err);
    }
  }

  async #audioStop(): Promise<void> {
    if (this.#failed) {
      this.#failed = false;
      return;
    }
    if (this.#done) {
      this.#done = false;
      return;
    }
    if (!this.#session) {
      // audio-stop with no audio: an empty transcript, like the reference server
      await this.#send(() => this.connection.sendEvent('transcript', { text: '' }));
      return;
    }
    try {
      await this.#finalize();
    } catch (err) {
      this.#fail(err);
    }
    this.#done = false;
  }

  async #finalize(): Promise<void> {
    const session = this.#session!;
    this.#session = undefined;
    this.#done = true;
    this.#finishing = true;
    const outcome = await session.finish().finally(() => {
      this.#finishing = false;
    });
    const language = outcome.language ? outcome.language : undefined;
    await this.#send(() => this.connection.sendEvent('transcript', { text: outcome.text, ...(language ? { language } : {}) }));
    if (this.#streamStarted) await this.#send(() => this.connection.sendEvent('transcript-stop', {}));
    const ms = performance.now() - this.#startedAt;
    this.deps.bus.emit('transcript', { text: outcome.text, language: language ?? null, source: 'provider', at: new Date() });
    this.deps.bus.emit('provider-request', { service: 'asr', ok: true, ms });
    this.connection.log.debug({ model: this.#engine?.info.name, ms: Math.round(ms), audioSeconds: outcome.audioSeconds, endpointAt: outcome.endpointAt }, 'transcribed');
  }

  #partial(text: string): void {
    if (this.#done || this.#failed || !text) return;
    // Chunks only ever append; a revised partial waits for the final transcript.
    if (!text.startsWith(this.#sentText) || text === this.#sentText) return;
    const delta = text.slice(this.#sentText.length);
    this.#sentText = text;
    const language = this.#request?.language ?? undefined;
    if (!this.#streamStarted) {
      this.#streamStarted = true;
      void this.#send(() => this.connection.sendEvent('transcript-start', language ? { language } : {}));
    }
    void this.#send(() => this.connection.sendEvent('transcript-chunk', { text: delta }));
  }

  /** Writes in order; a peer that already left (HA closes after `transcript`) is not an error. */
  #send(write: () => Promise<void>): Promise<void> {
    this.#out = this.#out.then(write).catch(() => undefined);
    return this.#out;
  }

  #fail(err: unknown): void {
    this.#session?.cancel();
    this.#session = undefined;
    this.#failed = true;
    const code = errorCode(err, 'SAT_ERR_ENGINE_FAILED');
    this.connection.log.warn({ err, code }, 'transcription failed');
    this.deps.bus.emit('provider-request', { service: 'asr', ok: false, ms: this.#startedAt ? performance.now() - this.#startedAt : 0, code });
    void this.#send(() => this.connection.sendError(errorMessage(err), code));
  }

  #reset(): void {
    this.#session?.cancel();
    this.#session = undefined;
    this.#engine = undefined;
    this.#failed = false;
    this.#done = false;
    this.#startedAt = performance.now();
  }
}
