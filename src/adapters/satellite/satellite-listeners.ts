/**
 * What listens to the satellite's microphone between commands: the local wake words (local-wake
 * mode) or the VAD with its pre-roll buffer (VAD mode). Both take 16 kHz float32 and both go
 * through the speech service, so a rescan of the models never leaves the satellite deaf: the wake
 * listener chooses its words again on the new engines, and each VAD period opens on the VAD
 * installed then.
 */
import type { SpeechService } from '../../core/speech/speech-service.js';
import type { WakeListener as SpeechWakeListener } from '../../core/speech/wake-listener.js';
import type { VadStream } from '../../engines/vad/vad.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

export class WakeListener {
  #listener: SpeechWakeListener | undefined;

  constructor(
    private readonly speech: SpeechService,
    private readonly onDetection: (name: string) => void,
    private readonly log: Logger,
    /** The words listened for changed because the installed models did. */
    private readonly onRechosen: (words: readonly string[]) => void = () => undefined,
    /** Each hop's scores by word (the live view's meters). */
    private readonly onScores?: (scores: Record<string, number>) => void,
  ) {}

  /** The words listened for now. */
  get words(): readonly string[] {
    return this.#listener?.listening ?? [];
  }

  /**
   * Listens for `words` from now on: the installed ones among them, else the configured default,
   * else the first installed word (and again so after every rescan). Throws only when no wake word
   * can be listened for at all.
   */
  async listen(words: readonly string[]): Promise<void> {
    const next = this.speech.wakeListener({
      names: [...words],
      strict: false,
      onDetection: (f) => this.onDetection(f.name),
      ...(this.onScores ? { onScores: this.onScores } : {}),
      onRechosen: (names) => {
        if (this.#listener !== next) return;
        this.log.info({ words: names }, 'listening for wake words (the installed models changed)');
        this.onRechosen(names);
      },
      log: this.log,
    });
    try {
      await next.start();
    } catch (err) {
      next.close();
      throw err;
    }
    this.#listener?.close();
    this.#listener = next;
    const missing = words.filter((w) => !next.listening.includes(w));
    if (missing.length > 0) this.log.warn({ missing, listening: next.listening }, 'wake words not installed; listening for the others');
    this.log.info({ words: next.listening }, 'listening for wake words');
  }

  feed(samples: Float32Array): void {
    // The engines work through chunks in order and bound their own backlog.
    this.#listener?.accept(samples).catch((err: unknown) => this.log.warn({ reason: errorMessage(err) }, 'wake engine failed on a chunk'));
  }

  /** Forget audio so far: a new listening period starts. */
  reset(): void {
    this.#listener?.reset();
  }

  close(): void {
    this.#listener?.close();
    this.#listener = undefined;
  }
}

/** VAD mode: speech starts a stream. A new VAD stream is made for every listening period. */
export class VadListener {
  #stream: VadStream | undefined;
  #generation = 0;
  #toldMissing = false;

  constructor(
    private readonly speech: SpeechService,
    private readonly threshold: number,
    private readonly onSpeech: () => void,
    private readonly log: Logger,
  ) {}

  reset(): void {
    const generation = ++this.#generation;
    this.#stream?.close();
    this.#stream = undefined;
    this.speech
      .openVad({
        threshold: this.threshold,
        onSpeechStart: () => {
          if (generation === this.#generation) this.onSpeech();
        },
      })
      .then((stream) => {
        if (!stream) {
          if (!this.#toldMissing) this.log.error('satellite mode "vad" needs a Silero VAD model; none is installed');
          this.#toldMissing = true;
        } else if (generation === this.#generation) this.#stream = stream;
        else stream.close();
      })
      .catch((err: unknown) => this.log.error({ err }, 'cannot start the VAD'));
  }

  feed(samples: Float32Array): void {
    this.#stream?.accept(samples).catch((err: unknown) => this.log.warn({ err }, 'VAD failed on a chunk'));
  }

  close(): void {
    this.#generation++;
    this.#stream?.close();
    this.#stream = undefined;
  }
}

/** The last few seconds of mic audio, sent first when speech starts (VAD mode). */
export class PreRollBuffer {
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.maxBytes && this.#chunks.length > 1) this.#bytes -= this.#chunks.shift()!.length;
  }

  /** Returns and forgets what is buffered. */
  drain(): Buffer[] {
    const chunks = this.#chunks;
    this.clear();
    return chunks;
  }

  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }
}
