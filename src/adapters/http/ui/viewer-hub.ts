/**
 * The browsers watching the live view, each on one server-sent-events response. Bounded in every
 * direction: at most `maxViewers` at once (the next is refused), and per viewer at most
 * `maxBufferedBytes` waiting in its connection. A viewer that falls behind loses the lossy events
 * (levels, scores, partial captions: only the newest matters) and, if even the events that matter
 * no longer fit, is closed; its page reconnects and starts again from a fresh snapshot. Each event
 * is serialised once, however many viewers there are.
 */
import type { ServerResponse } from 'node:http';
import { SatelliteError } from '../../../util/errors.js';
import type { Logger } from '../../../util/logger.js';

/** A comment line every so often keeps proxies from closing a quiet stream and finds dead peers. */
export const HEARTBEAT_MS = 15_000;
/** Lossy events wait for a viewer whose connection already holds this much. */
export const LOSSY_BACKLOG_BYTES = 16 * 1024;

export interface LiveEvent {
  type: string;
  data: unknown;
  /** Superseded by the next event of its kind: skipped, not queued, for a viewer that lags. */
  lossy?: boolean;
}

export interface ViewerHubOptions {
  maxViewers: number;
  maxBufferedBytes: number;
  heartbeatMs?: number;
  log: Logger;
  /** The first viewer arrived (true) or the last one left (false). */
  onWatching?: (watching: boolean) => void;
}

export interface ViewerCounts {
  viewers: number;
  /** Lossy events skipped for lagging viewers. */
  skipped: number;
  /** Viewers closed because even the events that matter did not fit. */
  closedSlow: number;
}

interface Viewer {
  res: ServerResponse;
  id: number;
}

/** One SSE message: the JSON holds no raw newline, so one `data:` line carries it. */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export class ViewerHub {
  readonly #o: ViewerHubOptions;
  readonly #viewers = new Set<Viewer>();
  #nextId = 1;
  #skipped = 0;
  #closedSlow = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ViewerHubOptions) {
    this.#o = options;
  }

  get counts(): ViewerCounts {
    return { viewers: this.#viewers.size, skipped: this.#skipped, closedSlow: this.#closedSlow };
  }

  /**
   * Starts the event stream on `res` with `first` (the snapshot); the stream stays open until the
   * browser leaves, lags too far, or the hub closes. Throws SAT_ERR_WEB_TOO_MANY_VIEWERS when full.
   */
  add(res: ServerResponse, first: readonly LiveEvent[]): void {
    if (this.#closed) throw new SatelliteError('SAT_ERR_SHUTTING_DOWN', 'the live view is stopping');
    if (this.#viewers.size >= this.#o.maxViewers) {
      throw new SatelliteError('SAT_ERR_WEB_TOO_MANY_VIEWERS', `${this.#viewers.size} of ${this.#o.maxViewers} (http.ui.max_viewers); close another page or raise the limit`);
    }
    const viewer: Viewer = { res, id: this.#nextId++ };
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.#viewers.add(viewer);
    res.on('close', () => this.#remove(viewer));
    if (this.#viewers.size === 1) {
      this.#startHeartbeat();
      this.#o.onWatching?.(true);
    }
    // The snapshot is written whole: it is what a viewer needs to start (the buffer bound is for what follows).
    res.write(first.map(sseFrame).join(''));
    this.#o.log.debug({ viewer: viewer.id, viewers: this.#viewers.size }, 'live view opened');
  }

  broadcast(event: LiveEvent): void {
    if (this.#viewers.size === 0) return;
    const frame = sseFrame(event);
    for (const viewer of [...this.#viewers]) this.#send(viewer, frame, event.lossy === true);
  }

  /** Ends every stream (shutdown); later viewers are refused. */
  close(): void {
    this.#closed = true;
    for (const viewer of [...this.#viewers]) viewer.res.end();
    this.#viewers.clear();
    this.#stopHeartbeat();
  }

  #send(viewer: Viewer, frame: string, lossy: boolean): void {
    const { res } = viewer;
    if (res.writableEnded || res.destroyed) return this.#remove(viewer);
    const waiting = res.writableLength;
    if (lossy && waiting >= LOSSY_BACKLOG_BYTES) {
      this.#skipped++;
      return;
    }
    if (waiting + Buffer.byteLength(frame) > this.#o.maxBufferedBytes) {
      this.#closedSlow++;
      this.#o.log.info({ viewer: viewer.id, waitingBytes: waiting }, 'live viewer does not keep up; closing its stream (the page reconnects)');
      this.#remove(viewer);
      res.destroy();
      return;
    }
    res.write(frame);
  }

  #remove(viewer: Viewer): void {
    if (!this.#viewers.delete(viewer)) return;
    this.#o.log.debug({ viewer: viewer.id, viewers: this.#viewers.size }, 'live view closed');
    if (this.#viewers.size === 0) {
      this.#stopHeartbeat();
      this.#o.onWatching?.(false);
    }
  }

  #startHeartbeat(): void {
    this.#heartbeat = setInterval(() => {
      for (const viewer of [...this.#viewers]) this.#send(viewer, ': keep-alive\n\n', false);
    }, this.#o.heartbeatMs ?? HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
