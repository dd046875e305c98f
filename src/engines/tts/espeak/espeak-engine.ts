/**
 * eSpeak NG as a child process: the voice that needs no model download, so a fresh install can
 * always speak. Each request runs `espeak-ng --stdout` with the text on stdin (never on the
 * command line) and streams the WAV it writes: the header once, then PCM as it arrives. A
 * cancelled request kills its child at once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { ModelSlot } from '../../runtime/model-slot.js';
import { PcmFrameAligner, StreamResampler, pcmToFloatMono, type PcmFormat } from '../../../audio/pcm.js';
import { parseWav } from '../../../audio/wav.js';
import { SatelliteError } from '../../../util/errors.js';
import type { Logger } from '../../../util/logger.js';
import { abortError } from '../sherpa-tts.js';
import { chooseEspeakVoices, displayName, parseEspeakVoices, type EspeakOffer, type EspeakVoice } from './espeak-voices.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from '../tts.js';
import { languageTag } from '../voice-folder.js';

const execFileAsync = promisify(execFile);

/** espeak-ng's output rate for its own (non-MBROLA) voices. */
export const ESPEAK_RATE = 22050;
/** espeak-ng's default speaking rate in words per minute (speed 1). */
export const ESPEAK_DEFAULT_WPM = 175;
const ESPEAK_MIN_WPM = 80;
const ESPEAK_MAX_WPM = 450;
/** How long `espeak-ng --voices` may take. */
const VOICES_TIMEOUT_MS = 10_000;
/** stderr kept for an error message. */
const MAX_STDERR_BYTES = 4096;
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
  maxConcurrent: number;
  maxQueue: number;
  log: Logger;
}

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
  readonly #slot: ModelSlot<true>;
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
  }

  /** The engine, or null when espeak-ng is not installed (or offers none of the wanted voices). */
  static async create(options: EspeakOptions): Promise<EspeakEngine | null> {
    const [voices, version] = await Promise.all([listEspeakVoices(options.program), espeakVersion(options.program)]);
    if (!voices) return null;
    const wanted = chooseEspeakVoices(voices, { voices: options.languages, preferred: options.preferred, offer: options.offer ?? 'all', include: options.include });
    return wanted.length ? new EspeakEngine(wanted, version, options) : null;
  }

  synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    const language = this.#byName.get(request.voice);
    if (!language) return Promise.reject(new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `unknown espeak-ng voice "${request.voice}"`));
    return this.#slot.run(() => this.#run(language, request));
  }

  /**
   * espeak-ng runs as a child process per request and keeps no model in memory; the engine only
   * exists when the program answered at start-up, so it counts as loaded until closed.
   */
  get loaded(): boolean {
    return !this.#closed;
  }

  async unload(): Promise<void> {
    // nothing stays loaded between requests
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const child of this.#children) child.kill('SIGKILL');
    this.#children.clear();
  }

  #run(language: string, request: TtsRequest): Promise<{ sampleRate: number }> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(abortError());
    const wpm = Math.round(Math.min(ESPEAK_MAX_WPM, Math.max(ESPEAK_MIN_WPM, ESPEAK_DEFAULT_WPM * (request.speed ?? 1))));
    const child = spawn(this.#options.program, ['--stdout', '-b', '1', '-v', language, '-s', String(wpm)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#children.add(child);
    const reader = new WavStreamReader(ESPEAK_RATE, request.onAudio);
    let stderr = '';
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.#children.delete(child);
        if (err) reject(err);
        else resolve({ sampleRate: ESPEAK_RATE });
      };
      const onAbort = () => {
        child.kill('SIGKILL');
        finish(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          reader.push(chunk);
        } catch (err) {
          child.kill('SIGKILL');
          finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng wrote unreadable audio: ${(err as Error).message}`, { cause: err }));
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8');
      });
      child.on('error', (err) => finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `cannot run ${this.#options.program}: ${err.message}`, { cause: err })));
      child.on('close', (code, sig) => {
        if (code === 0) {
          reader.end();
          finish();
        } else {
          finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng exited with ${code ?? sig}: ${stderr.trim() || 'no message'}`));
        }
      });
      child.stdin.on('error', () => undefined); // a child that died early is reported by 'close'
      child.stdin.end(request.text, 'utf8');
    });
  }
}

/** Turns a WAV byte stream into float samples at `rate`, header first, then PCM as it comes. */
export class WavStreamReader {
  #head: Buffer = Buffer.alloc(0);
  #format: PcmFormat | undefined;
  #resampler: StreamResampler | undefined;
  readonly #aligner = new PcmFrameAligner();

  constructor(
    readonly rate: number,
    readonly onAudio: (samples: Float32Array) => void,
  ) {}

  push(chunk: Buffer): void {
    if (!this.#format) {
      this.#head = Buffer.concat([this.#head, chunk]);
      const dataAt = this.#head.indexOf('data');
      if (dataAt < 0 || this.#head.length < dataAt + 8) return;
      const wav = parseWav(this.#head);
      this.#format = wav.format;
      if (wav.format.rate !== this.rate) this.#resampler = new StreamResampler(wav.format.rate, this.rate);
      this.#head = Buffer.alloc(0);
      this.#emit(wav.pcm);
      return;
    }
    this.#emit(chunk);
  }

  end(): void {
    const tail = this.#resampler?.flush();
    if (tail && tail.length) this.onAudio(tail);
  }

  #emit(bytes: Buffer): void {
    const format = this.#format!;
    const aligned = this.#aligner.push(bytes, format.width * format.channels);
    if (aligned.length === 0) return;
    const mono = pcmToFloatMono(aligned, format);
    const out = this.#resampler ? this.#resampler.push(mono) : mono;
    if (out.length) this.onAudio(out);
  }
}
