/**
 * A Wyoming TCP endpoint: one `net` server, one decoder and one handler per connection.
 * The server itself answers `describe` with `info` and `ping` with `pong` at once, before queued
 * work; every other event goes to the connection's handler in order. A protocol error is reported
 * to that peer as `error {text, code}` (after the frames that arrived whole before it) and closes
 * only that connection. Slots are bounded in total and per peer (see wyoming-admission.ts), a frame
 * must be finished within a deadline once begun, and shutdown lets requests in flight finish
 * briefly before telling their peers why the connection ends.
 */
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameDecoder, type Frame, type FrameLimits } from '../../wyoming/frame.js';
import { parseEvent, type WyomingEvent } from '../../wyoming/events.js';
import type { InfoData } from '../../wyoming/info-schema.js';
import { errorCode, errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { admit, type SlotView } from './wyoming-admission.js';
import { WyomingConnection } from './wyoming-connection.js';
import { FrameQueue } from './wyoming-frame-queue.js';

/** How long requests in flight may take to finish once shutdown begins (well inside the daemon's stop bound). */
export const SHUTDOWN_DRAIN_MS = 3_000;
const DRAIN_POLL_MS = 50;

export interface ConnectionHandler {
  /** Known events arrive typed; unknown types arrive as `undefined` with the raw frame. */
  onEvent(event: WyomingEvent | undefined, frame: Frame): Promise<void> | void;
  onClose?(): void;
  /** A request is in flight: shutdown waits for it (briefly) and eviction spares the connection. */
  busy?(): boolean;
}

export interface EndpointOptions {
  name: string;
  host: string;
  port: number;
  maxConnections: number;
  /** Connections one remote address may hold; defaults to maxConnections. */
  maxConnectionsPerPeer?: number;
  /** A frame begun must be complete within this many ms; 0 disables the deadline. */
  frameTimeoutMs?: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  limits: FrameLimits;
  info: () => InfoData;
  createHandler: (connection: WyomingConnection) => ConnectionHandler;
  log: Logger;
}

/** One open connection and what the server tracks about it. */
class Slot implements SlotView {
  readonly decoder: FrameDecoder;
  readonly queue: FrameQueue;
  /** When the current unfinished frame began arriving. */
  frameStart: number | undefined;
  lastActivity = performance.now();
  frameTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly connection: WyomingConnection,
    readonly handler: ConnectionHandler,
    limits: FrameLimits,
  ) {
    this.decoder = new FrameDecoder(limits);
    this.queue = new FrameQueue(connection, handler);
  }

  get id(): number {
    return this.connection.id;
  }

  get peer(): string {
    return this.connection.peer;
  }

  /** What admission sees: a frame held back by our own paused reads is not the peer stalling. */
  get frameStartedAt(): number | undefined {
    return this.connection.paused ? undefined : this.frameStart;
  }

  get busy(): boolean {
    return this.queue.pending > 0 || (this.handler.busy?.() ?? false);
  }
}

export class WyomingServer {
  readonly #options: EndpointOptions;
  readonly #server: net.Server;
  readonly #slots = new Map<number, Slot>();
  #nextId = 1;
  #draining = false;

  constructor(options: EndpointOptions) {
    this.#options = options;
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  get connectionCount(): number {
    return this.#slots.size;
  }

  listen(): Promise<AddressInfo> {
    const { host, port, log, name } = this.#options;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError);
        // Only after listening: a failure to listen is the caller's to report (once, coded).
        this.#server.on('error', (err) => log.error({ err }, 'server error'));
        const address = this.#server.address() as AddressInfo;
        log.info({ endpoint: name, host: address.address, port: address.port }, 'listening');
        resolve(address);
      });
    });
  }

  address(): AddressInfo | null {
    return this.#server.address() as AddressInfo | null;
  }

  /**
   * Stops accepting and closes every connection: idle ones at once, those with a request in
   * flight once it finishes or after {@link SHUTDOWN_DRAIN_MS}, with `error SAT_ERR_SHUTTING_DOWN`
   * so the peer knows why. Resolves when the server is closed.
   */
  async close(): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const deadline = performance.now() + SHUTDOWN_DRAIN_MS;
    for (;;) {
      for (const slot of this.#slots.values()) if (!slot.busy) slot.connection.close();
      if (![...this.#slots.values()].some((s) => !s.connection.closed)) break;
      if (performance.now() >= deadline) break;
      await sleep(DRAIN_POLL_MS);
    }
    await Promise.all(
      [...this.#slots.values()]
        .filter((slot) => !slot.connection.closed)
        .map(async (slot) => {
          slot.connection.log.info('request still running at shutdown; telling the peer');
          await slot.connection.sendError('the daemon is shutting down', 'SAT_ERR_SHUTTING_DOWN');
          slot.connection.close();
        }),
    );
    await closed;
  }

  #accept(socket: net.Socket): void {
    const { log, idleTimeoutMs } = this.#options;
    socket.setNoDelay(true);
    socket.on('error', (err) => log.debug({ err }, 'socket error'));
    const id = this.#nextId++;
    const connection = new WyomingConnection(id, socket, log.child({ conn: id }));
    if (!this.#makeRoom(connection)) return;

    const slot = new Slot(connection, this.#options.createHandler(connection), this.#options.limits);
    this.#slots.set(id, slot);
    connection.log.debug({ remote: connection.remote }, 'connected');
    if (idleTimeoutMs > 0) {
      socket.setTimeout(idleTimeoutMs, () => {
        connection.log.info({ idleTimeoutMs }, 'closing idle connection');
        void connection.sendError('idle timeout', 'WY_ERR_IDLE_TIMEOUT');
        connection.close();
      });
    }
    socket.on('data', (chunk: Buffer) => this.#receive(slot, chunk));
    socket.on('close', () => {
      this.#slots.delete(id);
      clearTimeout(slot.frameTimer);
      connection.log.debug('disconnected');
      slot.queue.close();
      try {
        slot.handler.onClose?.();
      } catch (err) {
        connection.log.error({ err }, 'handler close failed');
      }
    });
  }

  /** Applies the connection bounds to a newcomer; false when it was refused (and told why). */
  #makeRoom(connection: WyomingConnection): boolean {
    const { log, maxConnections } = this.#options;
    if (this.#draining) {
      this.#refuse(connection, 'the daemon is shutting down', 'SAT_ERR_SHUTTING_DOWN');
      return false;
    }
    const maxPerPeer = Math.min(this.#options.maxConnectionsPerPeer ?? maxConnections, maxConnections);
    const decision = admit([...this.#slots.values()], connection.peer, { maxConnections, maxPerPeer }, performance.now());
    if (decision.kind === 'evict') {
      const victim = this.#slots.get(decision.victim)!;
      log.info({ remote: victim.connection.remote, reason: decision.reason, newcomer: connection.remote }, 'closing a connection to make room');
      void victim.connection.sendError(`connection closed to make room (${decision.reason})`, 'WY_ERR_CONNECTION_EVICTED');
      victim.connection.close();
      // The victim stops counting now, not when its socket finally closes.
      this.#slots.delete(decision.victim);
    } else if (decision.kind === 'refuse') {
      const peerFull = decision.reason === 'peer-full';
      log.warn({ remote: connection.remote, maxConnections, maxPerPeer }, peerFull ? 'refusing connection: too many from this address' : 'refusing connection: too many clients');
      this.#refuse(
        connection,
        peerFull ? `too many connections from ${connection.peer} (limit ${maxPerPeer})` : `too many connections (limit ${maxConnections})`,
        'WY_ERR_TOO_MANY_CONNECTIONS',
      );
      return false;
    }
    return true;
  }

  #refuse(connection: WyomingConnection, text: string, code: string): void {
    void connection.sendError(text, code);
    connection.close();
  }

  #receive(slot: Slot, chunk: Buffer): void {
    const { connection, decoder } = slot;
    // After a protocol error the connection is closing: what the peer still sends is ignored.
    if (connection.closed) return;
    slot.lastActivity = performance.now();
    const { frames, error } = decoder.decode(chunk);
    for (const frame of frames) {
      if (connection.closed) return;
      this.#dispatch(slot, frame);
    }
    if (error) {
      this.#protocolError(connection, error);
      return;
    }
    this.#watchFrame(slot, frames.length > 0);
  }

  /**
   * Starts the frame deadline when a frame is left half-received, and clears it once frames end
   * whole. `completed`: this read finished a frame, so the half-received one is a new frame with a
   * deadline of its own (a fast sender's reads rarely end on a frame boundary).
   */
  #watchFrame(slot: Slot, completed: boolean): void {
    const timeoutMs = this.#options.frameTimeoutMs ?? 0;
    if (!slot.decoder.midFrame || completed) {
      slot.frameStart = undefined;
      clearTimeout(slot.frameTimer);
      slot.frameTimer = undefined;
    }
    if (!slot.decoder.midFrame || slot.frameStart !== undefined) return;
    slot.frameStart = slot.lastActivity;
    if (timeoutMs <= 0) return;
    const expire = () => {
      const { connection } = slot;
      // Reads paused for backpressure: the rest of the frame is held back by us, not by the peer.
      if (connection.paused) {
        slot.frameTimer = setTimeout(expire, timeoutMs);
        slot.frameTimer.unref();
        return;
      }
      connection.log.info({ remote: connection.remote, timeoutMs }, 'closing a connection whose frame did not arrive in time');
      void connection.sendError(`frame not completed within ${timeoutMs} ms`, 'WY_ERR_FRAME_TIMEOUT');
      connection.close();
    };
    slot.frameTimer = setTimeout(expire, timeoutMs);
    slot.frameTimer.unref();
  }

  #dispatch(slot: Slot, frame: Frame): void {
    const { connection } = slot;
    let event: WyomingEvent | undefined;
    try {
      event = parseEvent(frame);
    } catch (err) {
      this.#protocolError(connection, err);
      return;
    }
    if (event?.type === 'describe') {
      void connection.send({ type: 'info', data: this.#options.info() as Record<string, unknown> });
      return;
    }
    if (event?.type === 'ping') {
      void connection.sendEvent('pong', { text: event.data.text ?? null });
    }
    slot.queue.push(event, frame);
  }

  #protocolError(connection: WyomingConnection, err: unknown): void {
    const code = errorCode(err, 'WY_ERR_PROTOCOL');
    connection.warnOnce(`protocol:${code}`, { code, reason: errorMessage(err) }, 'protocol error; closing connection');
    void connection.sendError(errorMessage(err), code);
    connection.close();
  }
}
