/**
 * The runtime's hands for local announcements: the callers waiting for an answer, and the
 * synthesis of each announcement into its speaker stream. What happens when is the reducer's call.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import type { LocalSpeech } from '../../core/satellite/local-speech.js';
import type { Failure } from '../../core/satellite/state.js';
import { errorMessage, registeredErrorCode, SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { SpeakerStream } from '../audio/speaker.js';

export class Announcer {
  #nextRequest = 1;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  /** Syntheses in progress, by stream. */
  readonly #syntheses = new Map<number, AbortController>();

  constructor(
    private readonly localSpeech: LocalSpeech,
    private readonly log: Logger,
  ) {}

  /** A new request; `done` settles when the reducer answers it. */
  open(): { request: number; done: Promise<void> } {
    const request = this.#nextRequest++;
    const done = new Promise<void>((resolve, reject) => this.#waiting.set(request, { resolve, reject }));
    return { request, done };
  }

  answer(request: number, failure: Failure | null): void {
    const waiting = this.#waiting.get(request);
    this.#waiting.delete(request);
    if (failure) waiting?.reject(new SatelliteError(failure.code, failure.message));
    else waiting?.resolve();
  }

  /** Makes the audio of `text` into `out`; `finished` hears how it went (not after `abort`). */
  synthesize(stream: number, text: string, out: SpeakerStream | undefined, finished: (failure: Failure | null) => void): void {
    const abort = new AbortController();
    this.#syntheses.set(stream, abort);
    let unplayable: { err: unknown } | undefined;
    const write = (pcm: Buffer, format: PcmFormat) => {
      try {
        out?.write(pcm, format);
      } catch (err) {
        // Audio the speaker cannot take (e.g. over the per-chunk bound): stop making more.
        unplayable ??= { err };
        abort.abort();
      }
    };
    const ended = (err: unknown) => {
      if (this.#syntheses.get(stream) !== abort) return; // aborted by the reducer, which has moved on
      this.#syntheses.delete(stream);
      if (err === undefined) return finished(null);
      this.log.warn({ err, stream }, 'the announcement could not be synthesised');
      finished({ code: registeredErrorCode(err, 'SAT_ERR_TTS_ENGINE'), message: errorMessage(err) });
    };
    this.localSpeech(text, abort.signal, write).then(
      () => ended(unplayable?.err),
      (err: unknown) => ended(unplayable?.err ?? err ?? new Error('local speech failed')),
    );
  }

  abort(stream: number): void {
    this.#syntheses.get(stream)?.abort();
    this.#syntheses.delete(stream);
  }

  /** Shutdown: stop every synthesis and answer every caller. */
  stop(): void {
    for (const stream of [...this.#syntheses.keys()]) this.abort(stream);
    for (const request of [...this.#waiting.keys()]) this.answer(request, { code: 'SAT_ERR_SHUTTING_DOWN', message: 'the satellite stopped before the announcement ended' });
  }
}
