/**
 * Runs one connection's events through its handler one at a time, in order. The socket is paused
 * while too many events or too many bytes wait, so a peer that sends faster than its requests are
 * served (audio pushed faster than it decodes) is held back by TCP instead of buffered here; reads
 * resume once the handler has worked the queue down to half of either bound. A failed event becomes an `error` event for that peer;
 * a protocol error also closes the connection.
 */
import type { Frame } from '../../wyoming/frame.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import { WyomingProtocolError } from '../../wyoming/errors.js';
import { errorCode, errorMessage } from '../../util/errors.js';
import type { WyomingConnection } from './wyoming-connection.js';

/** Frames queued for a handler before the socket is paused (bounded input buffering). */
export const MAX_QUEUED_FRAMES = 256;
/** Payload bytes queued before the socket is paused: about 8 s of 16 kHz 16-bit mono audio. */
export const MAX_QUEUED_BYTES = 256 * 1024;

export interface QueueHandler {
  onEvent(event: WyomingEvent | undefined, frame: Frame): Promise<void> | void;
}

export class FrameQueue {
  readonly #items: Array<{ event: WyomingEvent | undefined; frame: Frame }> = [];
  #bytes = 0;
  #peakBytes = 0;
  #running = false;
  #closed = false;

  constructor(
    private readonly connection: WyomingConnection,
    private readonly handler: QueueHandler,
  ) {}

  /** Events waiting or being handled. */
  get pending(): number {
    return this.#items.length + (this.#running ? 1 : 0);
  }

  /** Payload bytes waiting (not yet handed to the handler). */
  get queuedBytes(): number {
    return this.#bytes;
  }

  /** The most payload bytes that ever waited at once (stats, tests: the bound holds). */
  get peakQueuedBytes(): number {
    return this.#peakBytes;
  }

  push(event: WyomingEvent | undefined, frame: Frame): void {
    if (this.#closed) return;
    this.#items.push({ event, frame });
    this.#bytes += frame.payload?.length ?? 0;
    this.#peakBytes = Math.max(this.#peakBytes, this.#bytes);
    if (this.#items.length >= MAX_QUEUED_FRAMES || this.#bytes >= MAX_QUEUED_BYTES) this.connection.pause();
    if (!this.#running) void this.#run();
  }

  /** Drops what waits; the event being handled finishes (its handler sees the connection's abort). */
  close(): void {
    this.#closed = true;
    this.#items.length = 0;
    this.#bytes = 0;
  }

  async #run(): Promise<void> {
    this.#running = true;
    // A closed connection's waiting events are dropped: nobody is left to answer.
    while (this.#items.length > 0 && !this.#closed && !this.connection.closed) {
      const item = this.#items.shift()!;
      this.#bytes -= item.frame.payload?.length ?? 0;
      if (this.#items.length < MAX_QUEUED_FRAMES / 2 && this.#bytes < MAX_QUEUED_BYTES / 2) this.connection.resume();
      try {
        await this.handler.onEvent(item.event, item.frame);
      } catch (err) {
        const code = errorCode(err);
        // A coded error is the peer's or the model's, described by its message; an uncoded one is a bug worth its stack.
        const detail = errorCode(err, '') ? { reason: errorMessage(err) } : { err };
        this.connection.warnOnce(`event:${code}`, { code, type: item.frame.type, ...detail }, 'event failed');
        await this.connection.sendError(errorMessage(err), code);
        if (err instanceof WyomingProtocolError) this.connection.close();
      }
    }
    if (this.connection.closed) {
      this.#items.length = 0;
      this.#bytes = 0;
    }
    this.#running = false;
  }
}
