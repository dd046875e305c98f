/**
 * One peer on a Wyoming endpoint: writes frames with backpressure, closes once, and exposes an
 * AbortSignal that fires when the peer goes away so running work can be cancelled. Warnings are
 * logged once per cause: a peer repeating a mistake costs one log line, not one per frame.
 */
import type { Socket } from 'node:net';
import { encodeFrame, type Frame } from '../../wyoming/frame.js';
import { eventFrame, type EventData, type EventType } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';

function isFrameList(frame: Frame | readonly Frame[]): frame is readonly Frame[] {
  return Array.isArray(frame);
}

/** How long a closing connection may take to flush before it is destroyed. */
export const CLOSE_FLUSH_MS = 1_000;

export class WyomingConnection {
  readonly #socket: Socket;
  readonly #abort = new AbortController();
  readonly #warned = new Set<string>();
  #drain: Promise<void> | undefined;
  #closed = false;
  #paused = false;

  constructor(
    readonly id: number,
    socket: Socket,
    readonly log: Logger,
  ) {
    this.#socket = socket;
    socket.once('close', () => this.#markClosed());
  }

  get remote(): string {
    return `${this.#socket.remoteAddress ?? '?'}:${this.#socket.remotePort ?? '?'}`;
  }

  /** The remote address alone: what per-peer limits count. */
  get peer(): string {
    return this.#socket.remoteAddress ?? '?';
  }

  /** Logs a warning the first time `cause` happens on this connection, at debug level after that. */
  warnOnce(cause: string, fields: Record<string, unknown>, message: string): void {
    const first = !this.#warned.has(cause);
    this.#warned.add(cause);
    if (first) this.log.warn(fields, message);
    else this.log.debug(fields, message);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Aborted when the connection closes for any reason. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Writes a frame, or several as one socket write (a batch of audio chunks: one system call and
   * one wake-up of the peer instead of one each). Resolves once the socket will take more
   * (honouring `write()` returning false); on a closed connection it resolves without writing,
   * since the peer is gone.
   */
  async send(frame: Frame | readonly Frame[]): Promise<void> {
    while (this.#drain) await this.#drain;
    if (this.#closed || this.#socket.destroyed) return;
    const bytes = isFrameList(frame) ? Buffer.concat(frame.map((f) => encodeFrame(f))) : encodeFrame(frame);
    const ok = this.#socket.write(bytes);
    if (!ok) {
      this.#drain = new Promise<void>((resolve) => {
        const done = () => {
          this.#socket.off('drain', done);
          this.#socket.off('close', done);
          this.#drain = undefined;
          resolve();
        };
        this.#socket.on('drain', done);
        this.#socket.on('close', done);
      });
    }
  }

  sendEvent<T extends EventType>(type: T, data: EventData<T>, payload?: Buffer): Promise<void> {
    return this.send(eventFrame(type, data, payload));
  }

  /** Sends `error {text, code}`; never throws. */
  async sendError(text: string, code: string): Promise<void> {
    try {
      await this.sendEvent('error', { text, code });
    } catch {
      // the peer is gone; nothing to tell it
    }
  }

  /** Ends the connection after flushing what was written. */
  close(): void {
    if (this.#closed) return;
    this.#markClosed();
    this.#socket.end();
    const timer = setTimeout(() => this.#socket.destroy(), CLOSE_FLUSH_MS);
    timer.unref();
  }

  /** Bytes read from the peer so far (stats, tests: what was taken in while reads were paused). */
  get bytesRead(): number {
    return this.#socket.bytesRead;
  }

  /** True while reads are paused for backpressure (the peer's frame deadline waits meanwhile). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stops reading: what the peer sends waits in TCP buffers, then in the peer. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed) this.#socket.resume();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
  }
}
