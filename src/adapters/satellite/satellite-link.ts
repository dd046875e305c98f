/**
 * Who controls the satellite (wyoming-protocol.md §4.6): one Home Assistant connection owns it.
 * `describe` and `ping` are answered on every connection by the endpoint itself; any other event
 * from a connection claims the satellite when it is free, or when the owner has been silent long
 * enough to count as dead; otherwise the would-be owner is refused and closed. Once the owner has
 * pinged, the satellite pings it every 2 s and drops it after 5 s without a word.
 */
import type { Frame } from '../../wyoming/frame.js';
import type { EventData, EventType, WyomingEvent } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';
import type { ConnectionHandler } from '../wyoming/wyoming-server.js';
import type { WyomingConnection } from '../wyoming/wyoming-connection.js';

/** HA's `_PING_SEND_DELAY`: how often we ping once HA has pinged us. */
export const SATELLITE_PING_EVERY_MS = 2_000;
/** HA's `_PING_TIMEOUT`: an owner silent this long is dropped (and may be replaced). */
export const SATELLITE_SILENCE_MS = 5_000;

export interface LinkListener {
  onConnected(): void;
  onDisconnected(): void;
  onEvent(event: WyomingEvent): void;
}

export interface LinkTiming {
  pingEveryMs: number;
  silenceMs: number;
}

interface Owner {
  connection: WyomingConnection;
  lastHeard: number;
  pinger: NodeJS.Timeout | undefined;
  watchdog: NodeJS.Timeout | undefined;
  pings: number;
}

export class SatelliteLink {
  #owner: Owner | undefined;

  constructor(
    private readonly listener: LinkListener,
    private readonly log: Logger,
    private readonly timing: LinkTiming = { pingEveryMs: SATELLITE_PING_EVERY_MS, silenceMs: SATELLITE_SILENCE_MS },
  ) {}

  get connected(): boolean {
    return this.#owner !== undefined;
  }

  /** The endpoint's handler for one connection. */
  handler(connection: WyomingConnection): ConnectionHandler {
    return {
      onEvent: (event: WyomingEvent | undefined, _frame: Frame) => this.#onEvent(connection, event),
      onClose: () => {
        if (this.#owner?.connection === connection) this.#release('connection closed');
      },
      // Home Assistant's connection is idle between pipelines, yet it is the one that matters.
      busy: () => this.#owner?.connection === connection,
    };
  }

  /** Sends to the owner; without one the event is dropped (HA is gone). */
  send<T extends EventType>(type: T, data: EventData<T>, payload?: Buffer): Promise<void> {
    return this.#owner ? this.#owner.connection.sendEvent(type, data, payload) : Promise.resolve();
  }

  /** Drops the owner (daemon shutdown). */
  stop(): void {
    const owner = this.#owner;
    if (owner) {
      this.#release('satellite stopping');
      owner.connection.close();
    }
  }

  #onEvent(connection: WyomingConnection, event: WyomingEvent | undefined): void {
    const owner = this.#owner;
    if (owner?.connection === connection) {
      this.#heard(owner);
      if (event?.type === 'ping') this.#startKeepalive(owner);
      if (event && event.type !== 'ping' && event.type !== 'pong') this.listener.onEvent(event);
      return;
    }
    // Unknown events and keep-alive traffic from other connections neither claim nor disturb.
    if (!event || event.type === 'ping' || event.type === 'pong') return;
    if (owner && performance.now() - owner.lastHeard < this.timing.silenceMs) {
      connection.log.warn({ remote: connection.remote, type: event.type }, 'refusing a second controller');
      void connection.sendError('this satellite is controlled by another connection', 'SAT_ERR_SATELLITE_BUSY');
      connection.close();
      return;
    }
    if (owner) {
      this.log.warn({ remote: owner.connection.remote }, 'replacing a silent Home Assistant connection');
      this.#release('replaced by a new connection');
      owner.connection.close();
    }
    this.#owner = { connection, lastHeard: performance.now(), pinger: undefined, watchdog: undefined, pings: 0 };
    this.log.info({ remote: connection.remote }, 'Home Assistant connected');
    this.listener.onConnected();
    this.listener.onEvent(event);
  }

  #heard(owner: Owner): void {
    owner.lastHeard = performance.now();
    if (owner.watchdog) owner.watchdog.refresh();
  }

  #startKeepalive(owner: Owner): void {
    if (owner.pinger) return;
    owner.pinger = setInterval(() => {
      owner.pings++;
      void owner.connection.sendEvent('ping', { text: `satellite-${owner.pings}` });
    }, this.timing.pingEveryMs);
    owner.watchdog = setTimeout(() => {
      if (this.#owner !== owner) return;
      this.log.warn({ remote: owner.connection.remote, silenceMs: this.timing.silenceMs }, 'Home Assistant went silent; dropping it');
      this.#release('silent');
      owner.connection.close();
    }, this.timing.silenceMs);
  }

  #release(reason: string): void {
    const owner = this.#owner;
    if (!owner) return;
    clearInterval(owner.pinger);
    clearTimeout(owner.watchdog);
    this.#owner = undefined;
    this.log.info({ remote: owner.connection.remote, reason }, 'Home Assistant disconnected');
    this.listener.onDisconnected();
  }
}
