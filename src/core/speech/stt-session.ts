/**
 * One speech-to-text request: converts incoming PCM (any rate, width 1/2/4, 1–2 channels) to the
 * engine's float32 mono, enforces the maximum utterance length, runs VAD for endpointing and for
 * trimming silence before offline decoding, streams to engines that stream, and buffers for those
 * that decode whole utterances.
 */
import { AudioStreamConverter, checkFormat, concatSamples, pcmSeconds, type PcmFormat } from '../../audio/pcm.js';
import type { AsrEngine, AsrSession } from '../../engines/asr/asr.js';
import type { VadFactory, VadStream } from '../../engines/vad/vad.js';
import { SatelliteError } from '../../util/errors.js';
import { trimToSpeech } from './stt-audio.js';
import { onAbort } from '../../util/abort.js';

/** Rate the VAD works at. */
export const VAD_RATE = 16_000;
/**
 * VAD calls a session keeps in flight when VAD only trims (no endpointing). Each call is a round
 * trip to the VAD worker; awaiting every one before reading the next chunk would make a fast
 * sender's intake one round trip per chunk. Endpointing awaits each call: the end of speech is
 * known right after the chunk that brought it.
 */
export const MAX_VAD_IN_FLIGHT = 16;

export interface SttVadSettings {
  threshold: number;
  minSilenceSeconds: number;
  minSpeechSeconds: number;
}

export interface SttSessionOptions {
  engine: AsrEngine;
  vad?: VadFactory | undefined;
  vadSettings?: SttVadSettings | undefined;
  language?: string | undefined;
  maxUtteranceSeconds: number;
  /** Finish as soon as VAD reports the end of speech. */
  endpointOnSilence: boolean;
  /** Offline engines: cut leading and trailing silence (by VAD) before decoding. */
  trimSilence: boolean;
  onPartial?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Called once when the session is over (finished, failed or cancelled): the engines' leases end. */
  onRelease?: (() => void) | undefined;
}

export interface SttOutcome {
  text: string;
  language: string | undefined;
  /** Seconds of audio received. */
  audioSeconds: number;
  /** Stream time at which VAD ended the utterance, when it did. */
  endpointAt: number | undefined;
}

export class SttSession {
  readonly #o: SttSessionOptions;
  readonly #rate: number;
  #engineSession: AsrSession | undefined;
  #vad: VadStream | undefined;
  #converter: AudioStreamConverter;
  #vadConverter: AudioStreamConverter | undefined;
  /** Offline engines: everything received, decoded at finish. */
  #buffer: Float32Array[] = [];
  #samples = 0;
  /** Seconds of audio received as declared by the chunks' formats (the utterance limit counts these). */
  #inputSeconds = 0;
  #endpointAt: number | undefined;
  #closed = false;
  /** VAD calls posted and not yet answered, oldest first (they settle in order). */
  #vadInFlight: Array<Promise<void>> = [];
  #vadError: unknown;

  private constructor(options: SttSessionOptions) {
    this.#o = options;
    this.#rate = options.engine.info.sampleRate;
    this.#converter = new AudioStreamConverter(this.#rate);
  }

  static async open(options: SttSessionOptions): Promise<SttSession> {
    const session = new SttSession(options);
    const { engine, vad } = options;
    const wantVad = vad && (options.endpointOnSilence || (options.trimSilence && !engine.info.streaming));
    try {
      if (engine.info.streaming) {
        session.#engineSession = await engine.createSession({ language: options.language, onPartial: options.onPartial, signal: options.signal });
      }
      if (wantVad) {
        const s = options.vadSettings;
        session.#vad = await vad.createStream({
          threshold: s?.threshold,
          minSilenceSeconds: s?.minSilenceSeconds,
          minSpeechSeconds: s?.minSpeechSeconds,
          onSpeechEnd: () => {
            if (options.endpointOnSilence && session.#endpointAt === undefined) session.#endpointAt = session.#vad?.time;
          },
        });
        if (session.#rate !== VAD_RATE) session.#vadConverter = new AudioStreamConverter(VAD_RATE);
      }
    } catch (err) {
      session.cancel();
      throw err;
    }
    // Also when the signal fired while the engine and VAD were opening: release at once.
    onAbort(options.signal, () => session.cancel());
    return session;
  }

  get audioSeconds(): number {
    return this.#samples / this.#rate;
  }

  /** True once VAD ended the utterance (only with `endpointOnSilence`). */
  get endpointed(): boolean {
    return this.#endpointAt !== undefined;
  }

  get endpointAt(): number | undefined {
    return this.#endpointAt;
  }

  /** Starts (or restarts) the audio format; throws SAT_ERR_AUDIO_FORMAT for formats it cannot read. */
  start(format: PcmFormat): void {
    checkFormat(format);
  }

  /**
   * Feeds one chunk; audio after the endpoint is ignored. Resolves once the engine and VAD have
   * room for more (a client sending faster than they decode waits here, and so does its socket).
   */
  async push(bytes: Uint8Array, format: PcmFormat): Promise<void> {
    if (this.#closed) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session is closed');
    if (this.endpointed) return;
    // The limit applies to the declared duration, before any conversion work is done.
    checkFormat(format);
    const seconds = pcmSeconds(bytes.length, format);
    if (this.#inputSeconds + seconds > this.#o.maxUtteranceSeconds) {
      throw new SatelliteError('SAT_ERR_UTTERANCE_TOO_LONG', `utterance longer than ${this.#o.maxUtteranceSeconds} s`);
    }
    this.#inputSeconds += seconds;
    const samples = this.#converter.push(bytes, format);
    const fed = this.#feed(samples);
    if (this.#vad) this.#analyse(this.#vad, this.#vadConverter ? this.#vadConverter.push(bytes, format) : samples);
    await this.#vadSettled(this.#o.endpointOnSilence ? 0 : MAX_VAD_IN_FLIGHT);
    await fed;
  }

  /** Posts one VAD call; its failure is kept for the next push or finish (never left unhandled). */
  #analyse(vad: VadStream, samples: Float32Array): void {
    const call = vad.accept(samples).catch((err: unknown) => {
      this.#vadError ??= err;
    });
    this.#vadInFlight.push(call);
  }

  /** Waits until at most `max` VAD calls are in flight; rethrows a VAD failure. */
  async #vadSettled(max: number): Promise<void> {
    while (this.#vadInFlight.length > max) await this.#vadInFlight.shift();
    if (this.#vadError !== undefined) throw this.#vadError;
  }

  async #feed(samples: Float32Array): Promise<void> {
    if (samples.length === 0) return;
    this.#samples += samples.length;
    if (this.#engineSession) await this.#engineSession.accept(samples);
    else this.#buffer.push(samples);
  }

  /** No more audio: decodes and frees everything. */
  async finish(): Promise<SttOutcome> {
    if (this.#closed) throw new SatelliteError('SAT_ERR_SESSION_CLOSED', 'session is closed');
    if (!this.endpointed) await this.#feed(this.#converter.flush());
    try {
      await this.#vadSettled(0);
      let result;
      if (this.#engineSession) {
        result = await this.#engineSession.finish();
      } else {
        let audio = concatSamples(this.#buffer);
        this.#buffer = [];
        if (this.#vad && this.#o.trimSilence) {
          await this.#vad.flush();
          audio = trimToSpeech(audio, this.#rate, this.#vad.segments);
        }
        const session = await this.#o.engine.createSession({ language: this.#o.language, signal: this.#o.signal });
        this.#engineSession = session;
        await session.accept(audio);
        result = await session.finish();
      }
      return { text: result.text, language: result.language ?? this.#o.language, audioSeconds: this.audioSeconds, endpointAt: this.#endpointAt };
    } finally {
      this.#engineSession = undefined;
      this.#release();
    }
  }

  /** Abandons the request and frees its resources; safe to call more than once. */
  cancel(): void {
    this.#engineSession?.cancel();
    this.#engineSession = undefined;
    this.#release();
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.onRelease?.();
    this.#buffer = [];
    this.#vadInFlight = [];
    this.#vad?.close();
    this.#vad = undefined;
  }
}
