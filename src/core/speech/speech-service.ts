/**
 * The speech service: the one thing front ends (Wyoming provider, satellite, HTTP, MQTT, CLI) see
 * of the models. It owns the live catalogue, applies one selection rule per kind, and opens the
 * sessions — streaming and whole-file transcription, synthesis (text cleanup, sentence splitting,
 * cache), wake listening — each holding a lease on the engines it uses, so a rescan never closes
 * an engine under a running request.
 */
import type { AsrEngine, AsrModelInfo, AsrTask } from '../../engines/asr/asr.js';
import type { TtsEngine } from '../../engines/tts/tts.js';
import type { VadFactory, VadOptions, VadStream } from '../../engines/vad/vad.js';
import type { WakeModelInfo } from '../../engines/wake/wake.js';
import type { Logger } from '../../util/logger.js';
import { LiveCatalogue } from './catalogue.js';
import type { EngineKind, EngineOf, EngineSpec, SpeechChange } from './engine-kinds.js';
import { transcribe, type Transcript } from './file-transcription.js';
import { listModels, type ModelListing } from './loaded-models.js';
import { pickAsr, type AsrQuery } from './select-asr.js';
import { allVoices, pickVoice, type VoiceChoice, type VoiceQuery } from './select-voice.js';
import { wakeCatalog, type WakeCatalogEntry } from './select-wake.js';
import { SttSession, type SttVadSettings } from './stt-session.js';
import type { TtsCache } from './tts-cache.js';
import { TtsReply, type TtsAudioSink } from './tts-reply.js';
import { splitSentences } from './tts-sentences.js';
import { errorCode, SatelliteError } from '../../util/errors.js';
import { matchWakeModel } from '../../engines/wake/wake.js';
import { WakeListener, type WakeListenerOptions, type WakeSource } from './wake-listener.js';

export interface SpeechSettings {
  stt: { defaultModel: string | null; maxUtteranceSeconds: number; trimSilence: boolean; vad: SttVadSettings };
  tts: { defaultVoice: string | null; maxTextChars: number; speed: number; samplesPerChunk: number; cache: TtsCache | undefined };
  wake: { defaultModel: string | null };
}

export interface SpeechServiceOptions {
  discover: () => Promise<EngineSpec[]>;
  settings: SpeechSettings;
  log: Logger;
  /** Preloads wait for this (the daemon resolves it once its endpoints serve). */
  preloadAfter?: Promise<unknown>;
}

export interface TranscriptionOptions extends AsrQuery {
  /** Finish as soon as VAD hears the end of speech. */
  endpointOnSilence?: boolean | undefined;
  /** Multiplies the configured silence that ends speech (Wyoming's vad_sensitivity). */
  silenceFactor?: number | undefined;
  onPartial?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface SpeakOptions {
  voice?: VoiceQuery | undefined;
  speed?: number | undefined;
  samplesPerChunk?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A model a running download will install, under the name it will have then. */
export interface PendingModel {
  name: string;
  description: string;
  languages: string[];
  /** Wake words: what a person says. */
  phrase?: string | undefined;
}

export type PendingKind = 'asr' | 'tts' | 'wake';

export class SpeechService implements WakeSource {
  readonly settings: SpeechSettings;
  readonly #catalogue: LiveCatalogue;
  readonly #listeners = new Set<(change: SpeechChange) => void>();
  readonly #log: Logger;
  #pending: Record<PendingKind, PendingModel[]> = { asr: [], tts: [], wake: [] };

  constructor(options: SpeechServiceOptions) {
    this.settings = options.settings;
    this.#log = options.log;
    this.#catalogue = new LiveCatalogue({
      discover: options.discover,
      onChange: (c) => this.#changed(c),
      log: options.log,
      ...(options.preloadAfter ? { preloadAfter: options.preloadAfter } : {}),
    });
  }

  /** Finds what is installed (the first scan); front ends may serve before it resolves. */
  start(): Promise<void> {
    return this.#catalogue.rescan();
  }

  /** One serialised rescan, whatever triggered it (the installer, the folder watcher, SIGHUP, MQTT). */
  rescan(reason: string): Promise<void> {
    this.#log.debug({ reason }, 'rescanning models');
    return this.#catalogue.rescan();
  }

  /** Calls `fn` with every change of the installed set; returns the unsubscribe. */
  onChange(fn: (change: SpeechChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  onWakeChange(fn: () => void): () => void {
    return this.onChange((change) => {
      if (change.kind === 'wake') fn();
    });
  }

  lease(engine: object): () => void {
    return this.#catalogue.lease(engine);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return this.#catalogue.close();
  }

  // ---- what is installed -------------------------------------------------------------------

  /** Installed speech-to-text models in preference order. */
  asrModels(): AsrModelInfo[] {
    return this.#catalogue.list('asr').map((e) => e.engine.info);
  }

  /** Installed voices in preference order. */
  voices(): VoiceChoice[] {
    return allVoices(this.#catalogue.list('tts'));
  }

  wakeCatalog(): WakeCatalogEntry[] {
    return wakeCatalog(this.#catalogue.list('wake'));
  }

  wakeModels(): WakeModelInfo[] {
    return this.wakeCatalog().map((e) => e.model);
  }

  get defaultWakeModel(): string | null {
    return this.settings.wake.defaultModel;
  }

  /** The VAD in use, if one is installed. */
  get vad(): VadFactory | undefined {
    return this.#catalogue.list('vad')[0]?.engine;
  }

  /** Installed and loaded models per kind (diagnostics, /metrics). */
  loadedModels(): ModelListing {
    return listModels({
      asr: this.#catalogue.list('asr'),
      tts: this.#catalogue.list('tts'),
      wake: this.#catalogue.list('wake'),
      vad: this.#catalogue.list('vad'),
    });
  }

  /** Engine ids of one kind, in catalogue order. */
  ids(kind: EngineKind): string[] {
    return this.#catalogue.list(kind).map((e) => e.id);
  }

  /** The running engine of one installed model (diagnostics and tests; requests go through the pick methods). */
  engine<K extends EngineKind>(kind: K, id: string): EngineOf[K] | undefined {
    return this.#catalogue.list(kind).find((e) => e.id === id)?.engine;
  }

  /**
   * Models being downloaded now (the first-run pull), listed to Home Assistant as if installed so
   * it sets up every service at once (see adapters/wyoming/provider-info.ts). Replaced whole.
   */
  setPending(kind: PendingKind, models: PendingModel[]): void {
    this.#pending = { ...this.#pending, [kind]: models };
  }

  pending(kind: PendingKind): readonly PendingModel[] {
    const installed = new Set(kind === 'asr' ? this.asrModels().map((m) => m.name) : kind === 'tts' ? this.voices().map((v) => v.voice.name) : this.wakeModels().map((m) => m.name));
    return this.#pending[kind].filter((m) => !installed.has(m.name));
  }

  // ---- selection ----------------------------------------------------------------------------

  /** Throws SAT_ERR_MODEL_PENDING, not "not found", while the model asked for (or any, when none is installed) is still downloading. */
  pickAsr(query: AsrQuery): AsrEngine {
    try {
      return pickAsr(this.#catalogue.list('asr'), query, this.settings.stt.defaultModel);
    } catch (err) {
      const pending = this.pending('asr');
      const waiting = query.name ? pending.some((m) => m.name.toLowerCase() === query.name!.toLowerCase()) : this.asrModels().length === 0 && pending.length > 0;
      if (errorCode(err) === 'SAT_ERR_MODEL_NOT_FOUND' && waiting) {
        throw new SatelliteError('SAT_ERR_MODEL_PENDING', `the speech-to-text model ${query.name ?? pending[0]!.name} is still downloading; try again when it is installed`, { cause: err });
      }
      throw err;
    }
  }

  /** A voice still downloading falls back to the default voice, so a reply is spoken now. */
  pickVoice(query: VoiceQuery = {}): VoiceChoice {
    const installed = this.#catalogue.list('tts');
    const name = query.name;
    if (name && this.pending('tts').some((v) => v.name.toLowerCase() === name.toLowerCase())) {
      return pickVoice(installed, { ...query, name: undefined, speaker: undefined }, this.settings.tts.defaultVoice);
    }
    return pickVoice(installed, query, this.settings.tts.defaultVoice);
  }

  /** Wake words asked for that are not installed yet but are downloading (a listener waits for them). */
  isWakePending(names: readonly string[]): boolean {
    const pending = this.pending('wake');
    return names.length > 0 && names.every((n) => pending.some((m) => matchWakeModel([{ name: m.name, phrase: m.phrase ?? m.name }], n)));
  }

  // ---- sessions -----------------------------------------------------------------------------

  /** A streaming transcription of one utterance; the engine and VAD are leased until it ends. */
  async openTranscription(options: TranscriptionOptions): Promise<{ engine: AsrEngine; session: SttSession }> {
    const engine = this.pickAsr(options);
    const vad = this.vad;
    const releases = [this.lease(engine), ...(vad ? [this.lease(vad)] : [])];
    const { stt } = this.settings;
    try {
      const session = await SttSession.open({
        engine,
        vad,
        vadSettings: { ...stt.vad, minSilenceSeconds: stt.vad.minSilenceSeconds * (options.silenceFactor ?? 1) },
        language: options.language ?? undefined,
        maxUtteranceSeconds: stt.maxUtteranceSeconds,
        endpointOnSilence: options.endpointOnSilence ?? false,
        trimSilence: stt.trimSilence,
        onPartial: options.onPartial,
        signal: options.signal,
        onRelease: () => releases.forEach((release) => release()),
      });
      return { engine, session };
    } catch (err) {
      releases.forEach((release) => release());
      throw err;
    }
  }

  /**
   * Transcribes a whole recording (float32 mono at the chosen engine's rate: pick it first with
   * {@link pickAsr} to know the rate), by VAD region when a VAD is installed.
   */
  async transcribeFile(engine: AsrEngine, samples: Float32Array, options: { language?: string | undefined; task: AsrTask; signal: AbortSignal; onPartial?: (text: string) => void }): Promise<Transcript> {
    const vad = this.vad;
    const releases = [this.lease(engine), ...(vad ? [this.lease(vad)] : [])];
    try {
      return await transcribe(engine, samples, {
        language: options.language,
        task: options.task,
        signal: options.signal,
        vad,
        vadSettings: this.settings.stt.vad,
        onPartial: options.onPartial,
      });
    } finally {
      releases.forEach((release) => release());
    }
  }

  /** A VAD stream on the installed VAD (leased until closed), or undefined when none is installed. */
  async openVad(options: VadOptions): Promise<VadStream | undefined> {
    const vad = this.vad;
    if (!vad) return undefined;
    const release = this.lease(vad);
    try {
      const stream = await vad.createStream(options);
      const close = stream.close.bind(stream);
      stream.close = () => {
        close();
        release();
      };
      return stream;
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * A spoken reply in `choice`'s voice: sentences added to it are cleaned, cached and spoken in
   * order into `sink`. The engine is leased until the reply is over.
   */
  createReply(choice: VoiceChoice, sink: TtsAudioSink, signal: AbortSignal | undefined, onError: (err: unknown) => void, options: Omit<SpeakOptions, 'voice' | 'signal'> = {}): TtsReply {
    const { tts } = this.settings;
    return new TtsReply({
      choice,
      sink,
      signal,
      onError,
      speed: options.speed ?? tts.speed,
      samplesPerChunk: options.samplesPerChunk ?? tts.samplesPerChunk,
      cache: tts.cache,
      onEnd: this.lease(choice.engine),
    });
  }

  /** Speaks a whole text into `sink` (start, chunks, stop) with the same cleanup and cache as Wyoming. */
  async speak(text: string, sink: TtsAudioSink, options: SpeakOptions = {}): Promise<VoiceChoice> {
    this.checkText(text);
    const choice = this.pickVoice(options.voice);
    let failure: unknown;
    const reply = this.createReply(choice, sink, options.signal, (err) => (failure ??= err), options);
    for (const sentence of splitSentences(text)) reply.add(sentence);
    if (reply.sentences === 0) {
      reply.abort();
      throw new SatelliteError('SAT_ERR_TTS_EMPTY_TEXT', 'nothing to say: the text has no words to speak');
    }
    await reply.finish();
    if (failure !== undefined) throw failure;
    return choice;
  }

  /** Refuses text that is empty or longer than the configured limit. */
  checkText(text: string, total = text.length): void {
    if (!text.trim()) throw new SatelliteError('SAT_ERR_TTS_EMPTY_TEXT', 'nothing to say: the text is empty');
    if (total > this.settings.tts.maxTextChars) {
      throw new SatelliteError('SAT_ERR_TTS_TEXT_TOO_LONG', `text is ${total} characters; the limit is ${this.settings.tts.maxTextChars}`);
    }
  }

  /** A wake listener that follows the installed models (call `start()` to open its sessions). */
  wakeListener(options: WakeListenerOptions): WakeListener {
    return new WakeListener(this, options);
  }

  #changed(change: SpeechChange): void {
    this.#log.info(change, `${change.kind} models changed`);
    for (const fn of [...this.#listeners]) {
      try {
        fn(change);
      } catch (err) {
        this.#log.error({ err }, 'speech change listener failed');
      }
    }
  }
}
