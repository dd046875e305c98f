/**
 * The satellite's speaker: streams play one after another on the configured device, each
 * converted from whatever format arrives to the device's, at the current software volume. A
 * stream's `done` settles when the device has really played it. A device that fails is tried
 * again with backoff: while waiting, streams fail at once instead of piling up.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import { SatelliteError, errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { AudioBackend, PlaybackHandle } from './audio-device.js';
import { Backoff, type DeviceStatus } from './backoff.js';
import { PcmConverter, volumeGain } from './pcm-convert.js';

/** Audio a stream may hold while it waits for its turn or for the device (bytes). */
export const MAX_STREAM_BUFFER_BYTES = 32 * 1024 * 1024;
/** A stream that gets no audio and no end for this long is ended, so later streams are not held up. */
export const STREAM_IDLE_MS = 10_000;

export interface SpeakerOptions {
  backend: AudioBackend;
  device: string;
  /** What the device is given. */
  format: PcmFormat;
  volume: number;
  reopenInitialMs: number;
  reopenMaxMs: number;
  log: Logger;
}

export class SpeakerStream {
  /** Settles when the audio has been played (rejects when the device failed). */
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #state: 'open' | 'ended' | 'aborted' = 'open';
  #wake: (() => void) | undefined;
  readonly #converter: PcmConverter;

  constructor(
    target: PcmFormat,
    private readonly gain: () => number,
  ) {
    this.#converter = new PcmConverter(target);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined); // callers that only fire and forget must not see unhandled rejections
  }

  write(pcm: Buffer, format: PcmFormat): void {
    if (this.#state !== 'open') return;
    const converted = this.#converter.push(pcm, format, this.gain());
    if (this.#buffered + converted.length > MAX_STREAM_BUFFER_BYTES) return; // bounded: drop the excess
    this.#push(converted);
  }

  end(): void {
    if (this.#state !== 'open') return;
    this.#push(this.#converter.flush(this.gain()));
    this.#state = 'ended';
    this.#notify();
  }

  abort(): void {
    if (this.#state === 'aborted') return;
    this.#state = 'aborted';
    this.#chunks.length = 0;
    this.#notify();
  }

  /** Plays the stream on an open device handle (called by the speaker when it is this stream's turn). */
  async playOn(handle: PlaybackHandle): Promise<void> {
    for (;;) {
      if (this.#state === 'aborted') {
        handle.abort();
        return;
      }
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.#buffered -= chunk.length;
        await handle.write(chunk);
      } else if (this.#state === 'ended') {
        await handle.finish();
        return;
      } else if (!(await this.#nextEvent())) {
        this.end(); // nothing came for STREAM_IDLE_MS: play what there is and let the queue move on
      }
    }
  }

  /** Waits for more audio, an end or an abort; false when nothing came in time. */
  #nextEvent(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, STREAM_IDLE_MS);
      this.#wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  get aborted(): boolean {
    return this.#state === 'aborted';
  }

  settle(err?: unknown): void {
    if (err === undefined) this.#resolve();
    else this.#reject(err);
  }

  #push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

export class Speaker {
  onStatus: (status: DeviceStatus) => void = () => undefined;
  readonly #options: SpeakerOptions;
  readonly #backoff: Backoff;
  #volume: number;
  #tail: Promise<void> = Promise.resolve();
  #retryAt = 0;
  #status: DeviceStatus = { state: 'stopped' };

  constructor(options: SpeakerOptions) {
    this.#options = options;
    this.#volume = options.volume;
    this.#backoff = new Backoff(options.reopenInitialMs, options.reopenMaxMs);
  }

  get volume(): number {
    return this.#volume;
  }

  /** What the device is given. */
  get format(): PcmFormat {
    return this.#options.format;
  }

  set volume(percent: number) {
    this.#volume = Math.max(0, Math.min(100, percent));
  }

  get status(): DeviceStatus {
    return this.#status;
  }

  /** A new stream; it plays after the streams opened before it. */
  open(): SpeakerStream {
    const stream = new SpeakerStream(this.#options.format, () => volumeGain(this.#volume));
    this.#tail = this.#tail.then(() => this.#play(stream));
    return stream;
  }

  /** Plays a whole buffer (a sound); resolves when it has been played. */
  play(pcm: Buffer, format: PcmFormat): SpeakerStream {
    const stream = this.open();
    stream.write(pcm, format);
    stream.end();
    return stream;
  }

  /** Resolves once every stream opened so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }

  async #play(stream: SpeakerStream): Promise<void> {
    if (stream.aborted) return stream.settle();
    const { backend, device, format, log } = this.#options;
    const wait = this.#retryAt - performance.now();
    if (wait > 0) {
      stream.abort();
      return stream.settle(new SatelliteError('SAT_ERR_AUDIO_DEVICE', `speaker "${device}" unavailable; retrying in ${Math.ceil(wait / 1000)} s`));
    }
    try {
      const handle: PlaybackHandle = await backend.openPlayback({ device, format });
      await stream.playOn(handle);
      if (this.#status.state !== 'running') {
        this.#backoff.reset();
        this.#setStatus({ state: 'running' });
      }
      stream.settle();
    } catch (err) {
      stream.abort();
      const retryInMs = this.#backoff.take();
      this.#retryAt = performance.now() + retryInMs;
      log.warn({ err, device, retryInMs }, 'speaker failed');
      this.#setStatus({ state: 'failed', error: errorMessage(err), retryInMs });
      stream.settle(err);
    }
  }

  #setStatus(status: DeviceStatus): void {
    this.#status = status;
    this.onStatus(status);
  }
}
