/**
 * eSpeak NG: the voice that needs no model download, so a fresh install can always speak. Voices
 * are listed by the `espeak-ng` program; speech comes from libespeak-ng in a long-lived worker
 * thread (espeak-library-speaker.ts), or, where the library cannot be loaded, from one
 * `espeak-ng --stdout` process per request (espeak-process.ts). Either way a cancelled request
 * stops at once and the main thread never synthesises.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { ModelSlot } from '../../runtime/model-slot.js';
import { SatelliteError, errorCode, errorMessage } from '../../../util/errors.js';
import type { Logger } from '../../../util/logger.js';
import { chooseEspeakVoices, displayName, parseEspeakVoices, type EspeakOffer, type EspeakVoice } from './espeak-voices.js';
import { EspeakLibrarySpeaker } from './espeak-library-speaker.js';
import { speakWithProcess } from './espeak-process.js';
import { DEFAULT_ESPEAK_LIBRARY } from './espeak-protocol.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from '../tts.js';
import { languageTag } from '../voice-folder.js';

export { WavStreamReader } from './espeak-process.js';

const execFileAsync = promisify(execFile);

/** espeak-ng's output rate for its own (non-MBROLA) voices. */
export const ESPEAK_RATE = 22050;
/** espeak-ng's default speaking rate in words per minute (speed 1). */
export const ESPEAK_DEFAULT_WPM = 175;
const ESPEAK_MIN_WPM = 80;
const ESPEAK_MAX_WPM = 450;
/** How long `espeak-ng --voices` may take. */
const VOICES_TIMEOUT_MS = 10_000;
export const ESPEAK_VOICE_PREFIX = 'espeak-ng-';
export const ESPEAK_ATTRIBUTION = { name: 'eSpeak NG', url: 'https://github.com/espeak-ng/espeak-ng' };

export interface EspeakOptions {
  program: string;
  /** espeak voice ids to offer (`en-us`, `de`); null = chosen by `offer`. */
  languages: readonly string[] | null;
  /** This voice is listed first (the fallback default). */
  preferred: string;
  /** Which voices to offer when `languages` is null (see `chooseEspeakVoices`); default every installed one. */
  offer?: EspeakOffer | undefined;
  /** Voice ids offered in any case (a configured default voice). */
  include?: readonly string[] | undefined;
  /** libespeak-ng to load (path or soname); null = the system's; false = a process per request. */
  library?: string | false | null | undefined;
  /** Seconds the library's worker idles before it stops; 0 keeps it. Default 600. */
  idleUnloadSeconds?: number | undefined;
  /** Processes at once when running the program per request (the library speaks one request at a time). */
  maxConcurrent: number;
  maxQueue: number;
  log: Logger;
}

const DEFAULT_IDLE_UNLOAD_SECONDS = 600;

/** The version `espeak-ng --version` states (`1.51`), or null. */
export async function espeakVersion(program: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(program, ['--version'], { timeout: VOICES_TIMEOUT_MS, encoding: 'utf8' });
    return /:\s*(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Lists installed espeak-ng voices, or null when the program cannot run. */
export async function listEspeakVoices(program: string): Promise<EspeakVoice[] | null> {
  try {
    const { stdout } = await execFileAsync(program, ['--voices'], { timeout: VOICES_TIMEOUT_MS, encoding: 'utf8' });
    return parseEspeakVoices(stdout);
  } catch {
    return null;
  }
}

export class EspeakEngine implements TtsEngine {
  readonly voices: TtsVoiceInfo[];
  readonly #options: EspeakOptions;
  readonly #byName = new Map<string, string>();
  readonly #children = new Set<ChildProcess>();
  /** Process-per-request mode: bounds the children running at once. */
  readonly #slot: ModelSlot<true>;
  /** Library mode; null once the library failed to load (or when configured off). */
  #speaker: EspeakLibrarySpeaker | null;
  #closed = false;

  /** `voices` are the offered ones, in order (`chooseEspeakVoices`). */
  private constructor(voices: EspeakVoice[], version: string | null, options: EspeakOptions) {
    this.#options = options;
    this.voices = voices.map((v) => {
      const name = `${ESPEAK_VOICE_PREFIX}${v.language}`;
      this.#byName.set(name, v.language);
      return {
        name,
        description: `eSpeak NG ${displayName(v.voiceName)}`,
        languages: [languageTag(v.language)],
        version,
        attribution: ESPEAK_ATTRIBUTION,
        backend: 'espeak-ng',
        sampleRate: ESPEAK_RATE,
        speakers: null,
      };
    });
    this.#slot = new ModelSlot({
      name: 'espeak-ng',
      load: async () => true as const,
      idleUnloadSeconds: 0,
      concurrency: options.maxConcurrent,
      maxQueue: options.maxQueue,
    });
    this.#speaker =
      options.library === false
        ? null
        : new EspeakLibrarySpeaker({
            library: options.library ?? DEFAULT_ESPEAK_LIBRARY,
            idleUnloadSeconds: options.idleUnloadSeconds ?? DEFAULT_IDLE_UNLOAD_SECONDS,
            maxQueue: options.maxQueue,
          });
  }

  /** The engine, or null when espeak-ng is not installed (or offers none of the wanted voices). */
  static async create(options: EspeakOptions): Promise<EspeakEngine | null> {
    const [voices, version] = await Promise.all([listEspeakVoices(options.program), espeakVersion(options.program)]);
    if (!voices) return null;
    const wanted = chooseEspeakVoices(voices, { voices: options.languages, preferred: options.preferred, offer: options.offer ?? 'all', include: options.include });
    return wanted.length ? new EspeakEngine(wanted, version, options) : null;
  }

  /** How speech is made now: `library` (worker thread) or `process` (one per request). */
  get mode(): 'library' | 'process' {
    return this.#speaker ? 'library' : 'process';
  }

  /** The library's worker, for tests and stats (null in process mode). */
  get speaker(): EspeakLibrarySpeaker | null {
    return this.#speaker;
  }

  async synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    const voice = this.#byName.get(request.voice);
    if (!voice) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `unknown espeak-ng voice "${request.voice}"`);
    const wpm = Math.round(Math.min(ESPEAK_MAX_WPM, Math.max(ESPEAK_MIN_WPM, ESPEAK_DEFAULT_WPM * (request.speed ?? 1))));
    const { text, signal, onAudio, onPcm16 } = request;
    const speaker = this.#speaker;
    if (speaker) {
      try {
        await speaker.speak({ text, voice, wpm, signal, onAudio, onPcm16 });
        return { sampleRate: ESPEAK_RATE };
      } catch (err) {
        if (!this.#libraryMissing(speaker, err)) throw err;
      }
    }
    await this.#slot.run(() => speakWithProcess({ program: this.#options.program, voice, wpm, text, rate: ESPEAK_RATE, signal, onAudio, children: this.#children }), signal);
    return { sampleRate: ESPEAK_RATE };
  }

  /** Starts the library's worker now (config `preload`); falls back to the program when the library does not load. */
  async load(): Promise<void> {
    const speaker = this.#speaker;
    if (!speaker) return;
    await speaker.load().catch((err: unknown) => {
      if (!this.#libraryMissing(speaker, err)) throw err;
    });
  }

  /**
   * The voices stay available until closed (the program answered at start-up); the library's
   * worker comes and goes with use.
   */
  get loaded(): boolean {
    return !this.#closed;
  }

  async unload(): Promise<void> {
    await this.#speaker?.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const child of this.#children) child.kill('SIGKILL');
    this.#children.clear();
    await this.#speaker?.close();
  }

  /** A library that never loaded means process mode from now on (logged once); true when that is the case. */
  #libraryMissing(speaker: EspeakLibrarySpeaker, err: unknown): boolean {
    if (errorCode(err, '') !== 'SAT_ERR_MODEL_LOAD' || speaker.loadCount > 0) return false;
    if (this.#speaker === speaker) {
      this.#speaker = null;
      this.#options.log.warn({ err: errorMessage(err) }, 'libespeak-ng did not load: eSpeak NG runs one espeak-ng process per request');
    }
    return true;
  }
}
