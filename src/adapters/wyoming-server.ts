/**
 * A Wyoming TCP endpoint: one `net` server, one decoder and one handler per connection.
 * The server itself answers `describe` with `info` and `ping` with `pong` at once, before queued
 * work; every other event goes to the connection's handler in order. A protocol error is reported
 * to that peer as `error {text, code}` and closes only that connection.
 */
import net, { type AddressInfo } from 'node:net';
import { FrameDecoder, type Frame, type FrameLimits } from '../wyoming/frame.js';
import { parseEvent, type WyomingEvent } from '../wyoming/events.js';
import { WyomingProtocolError } from '../wyoming/errors.js';
import type { InfoData } from '../wyoming/info-schema.js';
import { errorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { WyomingConnection } from './wyoming-connection.js';

/** Frames queued for a handler before the socket is paused (bounded input buffering). */
export const MAX_QUEUED_FRAMES = 256;

export interface ConnectionHandler {
  /** Known events arrive typed; unknown types arrive as `undefined` with the raw frame. */
  onEvent(event: WyomingEvent | undefined, frame: Frame): Promise<void> | void;
  onClose?(): void;
}

export interface EndpointOptions {
  name: string;
  host: string;
  port: number;
  maxConnections: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  limits: FrameLimits;
  info: () => InfoData;
  createHandler: (connection: WyomingConnection) => ConnectionHandler;
  log: Logger;
}

export class WyomingServer {
  readonly #options: EndpointOptions;
  readonly #server: net.Server;
  readonly #connections = new Set<WyomingConnection>();
  #nextId = 1;

  constructor(options: EndpointOptions) {
    this.#options = options;
    this.#server = net.createServer((socket) => this.#accept(socket));
    this.#server.on('error', (err) => options.log.error({ err }, 'server error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  listen(): Promise<AddressInfo> {
    const { host, port, log, name } = this.#options;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        log.info({ endpoint: name, host: address.address, port: address.port }, 'listening');
        resolve(address);
      });
    });
  }

  address(): AddressInfo | null {
    return this.#server.address() as AddressInfo | null;
  }

  /** Stops accepting, closes every connection, resolves when the server is closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.close();
    await closed;
  }

  #accept(socket: net.Socket): void {
    const { log, maxConnections, idleTimeoutMs } = this.#options;
    socket.setNoDelay(true);
    const connection = new WyomingConnection(this.#nextId++, socket, log.child({ conn: this.#nextId - 1 }));
    if (this.#connections.size >= maxConnections) {
      log.warn({ remote: connection.remote, maxConnections }, 'refusing connection: too many clients');
      void connection.sendError(`too many connections (limit ${maxConnections})`, 'WY_ERR_TOO_MANY_CONNECTIONS');
      connection.close();
      socket.on('error', () => undefined);
      return;
    }
    this.#connections.add(connection);
    connection.log.debug({ remote: connection.remote }, 'connected');
    if (idleTimeoutMs > 0) {
      socket.setTimeout(idleTimeoutMs, () => {
        connection.log.info({ idleTimeoutMs }, 'closing idle connection');
        void connection.sendError('idle timeout', 'WY_ERR_IDLE_TIMEOUT');
        connection.close();
      });
    }
    const handler = this.#options.createHandler(connection);
    const decoder = new FrameDecoder(this.#options.limits);
    const queue = new FrameQueue(connection, handler);

    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.#protocolError(connection, err);
        return;
      }
      for (const frame of frames) {
        if (connection.closed) return;
        this.#dispatch(connection, queue, frame);
      }
    });
    socket.on('error', (err) => connection.log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      this.#connections.delete(connection);
      connection.log.debug('disconnected');
      queue.close();
      try {
        handler.onClose?.();
      } catch (err) {
        connection.log.error({ err }, 'handler close failed');
      }
    });
  }

  #dispatch(connection: WyomingConnection, queue: FrameQueue, frame: Frame): void {
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
    queue.push(event, frame);
  }

  #protocolError(connection: WyomingConnection, err: unknown): void {
    const code = errorCode(err, 'WY_ERR_PROTOCOL');
    connection.log.warn({ err, code }, 'protocol error; closing connection');
    void connection.sendError(errorMessage(err), code);
    connection.close();
  }
}

/** Runs a connection's events through its handler one at a time, pausing the socket when full. */
class FrameQueue {
  readonly #items: Array<{ event: WyomingEvent | undefined; frame: Frame }> = [];
  #running = false;
  #closed = false;

  constructor(
    private readonly connection: WyomingConnection,
    private readonly handler: ConnectionHandler,
  ) {}

  push(event: WyomingEvent | undefined, frame: Frame): void {
    if (this.#closed) return;
    this.#items.push({ event, frame });
    if (this.#items.length >= MAX_QUEUED_FRAMES) this.connection.pause();
    if (!this.#running) void this.#run();
  }

  close(): void {
    this.#closed = true;
    this.#items.length = 0;
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#items.length > 0 && !this.#closed) {
      const item = this.#items.shift()!;
      if (this.#items.length < MAX_QUEUED_FRAMES / 2) this.connection.resume();
      try {
        await this.handler.onEvent(item.event, item.frame);
      } catch (err) {
        const code = errorCode(err);
        this.connection.log.warn({ err, code, type: item.frame.type }, 'event failed');
        await this.connection.sendError(errorMessage(err), code);
        if (err instanceof WyomingProtocolError) this.connection.close();
      }
    }
    this.#running = false;
  }
}
