/**
 * One Wyoming wake-word conversation (wyoming-protocol.md §4.4), independent of sockets:
 * `detect {names}` picks the models (null → the configured default), `audio-start` begins a
 * stream, chunks in any format are collected into 80 ms batches (Home Assistant sends 10 ms
 * chunks: per-chunk work would cost more than the models), converted to 16 kHz mono once per
 * batch and fed to one session per engine,
 * every firing becomes `detection {name, timestamp}` (ms of audio since `audio-start`) while the
 * stream goes on, and `audio-stop` answers `not-detected` when nothing fired. Home Assistant
 * closes without `audio-stop`: `close()` frees every session.
 *
 * When the sessions cannot be opened (a model that does not load), the stream's first event that
 * needs them throws once, so the peer gets one `error`; the rest of that stream is ignored
 * instead of failing every chunk again. The next `detect` or `audio-start` tries again.
 */
import { AudioStreamConverter, concatSamples, type PcmFormat } from '../../audio/pcm.js';
import { errorCode } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { EventOf } from '../../wyoming/events.js';
import { PcmBatch, type PcmPiece } from './wake-batch.js';
import { WakeListener, type WakeSource } from './wake-listener.js';

export const WAKE_SAMPLE_RATE = 16_000;

export interface WakeDetectorOptions {
  /** The installed wake models (the listener follows their changes). */
  source: WakeSource;
  log: Logger;
  sendDetection: (data: { name: string; timestamp: number }) => Promise<void>;
  sendNotDetected: () => Promise<void>;
  /** A model fired (for the bus). */
  onDetected?: (model: { name: string; phrase: string }) => void;
  /** One stream ended (audio-stop, close or failure), for request stats. */
  onStreamEnd?: (stat: { ok: boolean; ms: number; code?: string; detections: number }) => void;
  now?: () => number;
}

/**
 * Opening the sessions failed and the peer was told: by `detect` (that error stands for the
 * stream that follows) or by the stream itself. Audio is ignored until it is cleared.
 */
type Failed = 'detect' | 'stream' | undefined;

export class WakeDetector {
  readonly #options: WakeDetectorOptions;
  #requested: string[] | null = null;
  #active: WakeListener | undefined;
  #converter = new AudioStreamConverter(WAKE_SAMPLE_RATE);
  readonly #batch = new PcmBatch();
  /** When the current audio stream started (wall clock, for stats); undefined between streams. */
  #streamStart: number | undefined;
  #detections = 0;
  #failed: Failed;
  #closed = false;

  constructor(options: WakeDetectorOptions) {
    this.#options = options;
  }

  /** An audio stream is being listened to (a request in flight). */
  get streaming(): boolean {
    return this.#streamStart !== undefined;
  }

  /** Names currently listened for. */
  get listening(): string[] {
    return this.#active?.listening ?? [];
  }

  async detect(event: EventOf<'detect'>): Promise<void> {
    this.#requested = event.data.names ?? null;
    this.#closeSessions();
    this.#failed = undefined;
    try {
      await this.#open();
    } catch (err) {
      this.#failed = 'detect';
      this.#options.onStreamEnd?.({ ok: false, ms: 0, code: errorCode(err), detections: 0 });
      throw err;
    }
  }

  async audioStart(_format: PcmFormat): Promise<void> {
    if (this.#closed) return;
    if (this.#streamStart !== undefined) this.#endStream(true);
    if (this.#failed === 'detect') {
      // the failed detect was this stream's one error
      this.#failed = 'stream';
      return;
    }
    this.#failed = undefined;
    if (!this.#active) {
      try {
        await this.#open();
      } catch (err) {
        this.#failed = 'stream';
        this.#options.onStreamEnd?.({ ok: false, ms: 0, code: errorCode(err), detections: 0 });
        throw err;
      }
    }
    this.#active?.reset();
    this.#converter = new AudioStreamConverter(WAKE_SAMPLE_RATE);
    this.#batch.clear();
    this.#streamStart = this.#now();
    this.#detections = 0;
  }

  async audioChunk(event: EventOf<'audio-chunk'>): Promise<void> {
    if (this.#closed || this.#failed) return;
    if (this.#streamStart === undefined) await this.audioStart(event.data);
    const payload = event.payload ?? Buffer.alloc(0);
    let samples: Float32Array;
    try {
      const due = this.#batch.push(payload, event.data);
      // under one batch so far: nothing to convert or await (the common 10 ms chunk)
      if (due.length === 0) return;
      samples = this.#convert(due);
    } catch (err) {
      // A chunk the stream cannot take (bad format, too long) ends the stream with one error.
      this.#endStream(false, errorCode(err));
      this.#failed = 'stream';
      throw err;
    }
    await this.#active?.accept(samples);
  }

  async audioStop(): Promise<void> {
    if (this.#failed) {
      // a failed stream has had its answer (the error); the next one tries again
      this.#failed = undefined;
      return;
    }
    if (this.#streamStart === undefined) return;
    const held = this.#batch.flush();
    const tail = concatSamples([...(held ? [this.#convert([held])] : []), this.#converter.flush()]);
    await this.#active?.accept(tail);
    const fired = this.#detections > 0;
    this.#endStream(true);
    if (!fired && !this.#closed) await this.#options.sendNotDetected();
  }

  /** The peer went away (or the service stops): free everything, report nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch.clear();
    if (this.#streamStart !== undefined) this.#endStream(true);
    this.#closeSessions();
  }

  /** Converts batched pieces to 16 kHz mono float, in order, as one array. */
  #convert(pieces: PcmPiece[]): Float32Array {
    const parts = pieces.map((p) => this.#converter.push(p.bytes, p.format));
    return parts.length === 1 ? parts[0]! : concatSamples(parts);
  }

  async #open(): Promise<void> {
    const listener = new WakeListener(this.#options.source, {
      names: this.#requested,
      strict: true,
      onDetection: (d) => this.#fire(d.name, d.phrase, d.timestampMs),
      log: this.#options.log,
    });
    await listener.start();
    if (this.#closed) {
      listener.close();
      return;
    }
    this.#active = listener;
  }

  #fire(name: string, phrase: string, timestampMs: number): void {
    if (this.#closed || this.#streamStart === undefined) return;
    this.#detections++;
    this.#options.onDetected?.({ name, phrase });
    void this.#options.sendDetection({ name, timestamp: timestampMs }).catch(() => undefined);
  }

  #endStream(ok: boolean, code?: string): void {
    if (this.#streamStart === undefined) return;
    const ms = this.#now() - this.#streamStart;
    this.#streamStart = undefined;
    this.#options.onStreamEnd?.({ ok, ms, detections: this.#detections, ...(code ? { code } : {}) });
  }

  #closeSessions(): void {
    this.#active?.close();
    this.#active = undefined;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
