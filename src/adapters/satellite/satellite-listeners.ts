/**
 * What listens to the satellite's microphone between commands: the local wake-word sessions
 * (local-wake mode) or the VAD with its pre-roll buffer (VAD mode). Both take 16 kHz float32.
 */
import type { WakeEngine, WakeModelInfo, WakeSession } from '../../engines/wake/wake.js';
import type { VadFactory, VadStream } from '../../engines/vad/vad.js';
import { SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

/** Every wake model the local engines offer. */
export function localWakeModels(engines: ReadonlyMap<string, WakeEngine>): WakeModelInfo[] {
  return [...engines.values()].flatMap((engine) => engine.models);
}

/**
 * The wake words to listen for: the requested ones that are installed; with none requested (or
 * none installed), the default model, else the first installed one.
 */
export function chooseWakeWords(available: readonly WakeModelInfo[], requested: readonly string[], fallback: string | null, log: Logger): string[] {
  const names = new Set(available.map((m) => m.name));
  const missing = requested.filter((w) => !names.has(w));
  if (missing.length > 0) log.warn({ missing, installed: [...names] }, 'wake words not installed; ignoring them');
  const chosen = requested.filter((w) => names.has(w));
  if (chosen.length > 0) return chosen;
  if (fallback && names.has(fallback)) return [fallback];
  return available[0] ? [available[0].name] : [];
}

export class WakeListener {
  #sessions: WakeSession[] = [];
  #words: string[] = [];
  #generation = 0;

  constructor(
    private readonly engines: ReadonlyMap<string, WakeEngine>,
    private readonly onDetection: (name: string) => void,
    private readonly log: Logger,
  ) {}

  get words(): readonly string[] {
    return this.#words;
  }

  /**
   * Listens for `words` from now on (sessions are created on the engines that offer them). An
   * engine that cannot open its session (a model that does not load) does not stop the others:
   * it is logged once here, and only when no engine could open one does this throw.
   */
  async listen(words: readonly string[]): Promise<void> {
    const generation = ++this.#generation;
    this.#closeSessions();
    this.#words = [...words];
    const sessions: WakeSession[] = [];
    const failures: unknown[] = [];
    for (const engine of this.engines.values()) {
      const names = engine.models.map((m) => m.name).filter((n) => words.includes(n));
      if (names.length === 0) continue;
      try {
        const session = await engine.createSession({
          names,
          onDetection: (d) => {
            if (generation === this.#generation) this.onDetection(d.name);
          },
        });
        sessions.push(session);
      } catch (err) {
        failures.push(err);
      }
    }
    if (generation !== this.#generation) {
      for (const s of sessions) s.close();
      return;
    }
    this.#sessions = sessions;
    if (sessions.length === 0) {
      if (failures.length > 0) throw failures[0];
      throw new SatelliteError('SAT_ERR_NO_WAKE_MODEL', 'no local wake word model is installed; the satellite cannot wake');
    }
    for (const err of failures) this.log.warn({ err }, 'some wake words cannot be loaded; listening for the others');
    this.log.info({ words: this.#words }, 'listening for wake words');
  }

  feed(samples: Float32Array): void {
    const generation = this.#generation;
    for (const session of this.#sessions) {
      // The engine works through chunks in order and bounds its own backlog.
      session.accept(samples).catch((err: unknown) => {
        if (generation === this.#generation) this.log.warn({ err }, 'wake engine failed on a chunk');
      });
    }
  }

  /** Forget audio so far: a new listening period starts. */
  reset(): void {
    for (const session of this.#sessions) session.reset();
  }

  close(): void {
    this.#generation++;
    this.#closeSessions();
  }

  #closeSessions(): void {
    for (const session of this.#sessions) session.close();
    this.#sessions = [];
  }
}

/** VAD mode: speech starts a stream. A new VAD stream is made for every listening period. */
export class VadListener {
  #stream: VadStream | undefined;
  #generation = 0;

  constructor(
    private readonly factory: VadFactory,
    private readonly threshold: number,
    private readonly onSpeech: () => void,
    private readonly log: Logger,
  ) {}

  reset(): void {
    const generation = ++this.#generation;
    this.#stream?.close();
    this.#stream = undefined;
    this.factory
      .createStream({
        threshold: this.threshold,
        onSpeechStart: () => {
          if (generation === this.#generation) this.onSpeech();
        },
      })
      .then((stream) => {
        if (generation === this.#generation) this.#stream = stream;
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
