/**
 * The MQTT bridge: connects (with backoff), keeps `<base>/availability` truthful (online on
 * connect, offline as last will and on clean shutdown), publishes the state document and wake
 * events from the bus, Home Assistant discovery, and runs commands. It never throws into the
 * daemon: a broker that is down or refuses us only produces log lines and retries.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CoreBus } from '../../core/bus.js';
import type { SatelliteControl } from '../../core/satellite-control.js';
import type { StatsSnapshot } from '../../core/provider-stats.js';
import type { Logger } from '../../util/logger.js';
import { CommandRunner, type CommandResponse } from './command-runner.js';
import { describeConnectionError, safeUrl } from './connection.js';
import { buildDiscovery } from './discovery.js';
import { DiscoveryPublisher } from './discovery-publisher.js';
import { buildState, type LastTranscript, type LastWake, type ModelSummary } from './state.js';
import type { MqttIdentity, MqttTopics } from './topics.js';

/** HA asks for a random delay before re-sending discovery after its birth message. */
export const BIRTH_REPUBLISH_MIN_MS = 500;
export const BIRTH_REPUBLISH_MAX_MS = 3000;
/** Bound on publishing `offline` and disconnecting at shutdown. */
export const STOP_TIMEOUT_MS = 3000;
const BUS_OWNER = 'mqtt';

export interface MqttBridgeOptions {
  url: string;
  clientOptions: IClientOptions;
  topics: MqttTopics;
  identity: MqttIdentity;
  discovery: boolean;
  version: string;
  area: string | null;
  bus: CoreBus;
  stats: { snapshot(): StatsSnapshot };
  satellite: () => SatelliteControl | undefined;
  models: () => ModelSummary;
  /** Wake words the provider's wake service can report. */
  providerWakeWords: () => string[];
  restart: () => Promise<void> | void;
  /** Rescans the installed models (the `rescan` command). */
  rescan: () => Promise<void>;
  reconnect: { minMs: number; maxMs: number };
  statsIntervalMs: number;
  log: Logger;
  random?: () => number;
}

export class MqttBridge {
  readonly #o: MqttBridgeOptions;
  readonly #commands: CommandRunner;
  #client: MqttClient | undefined;
  #discovery: DiscoveryPublisher | undefined;
  #transcript: LastTranscript | null = null;
  #wake: LastWake | null = null;
  #haConnected = false;
  #backoffMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #birthTimer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #statePending = false;
  #everConnected = false;
  #lastErrorCode: string | undefined;
  #stopping = false;

  constructor(options: MqttBridgeOptions) {
    this.#o = options;
    this.#backoffMs = options.reconnect.minMs;
    this.#commands = new CommandRunner({
      satellite: options.satellite,
      restart: options.restart,
      rescan: options.rescan,
      respond: (r) => this.#respond(r),
      changed: () => this.publishState(),
      log: options.log,
    });
  }

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  start(): void {
    const { bus, log } = this.#o;
    bus.on('satellite-state', BUS_OWNER, () => this.publishState());
    bus.on('ha-connection', BUS_OWNER, ({ connected }) => {
      this.#haConnected = connected;
      this.publishState();
    });
    bus.on('transcript', BUS_OWNER, (t) => {
      this.#transcript = { text: t.text, language: t.language, source: t.source, at: t.at.toISOString() };
      this.publishState();
    });
    bus.on('wake-detected', BUS_OWNER, (w) => {
      this.#wake = { word: w.name, phrase: w.phrase, source: w.source, at: w.at.toISOString() };
      this.#publish(this.#o.topics.wake, JSON.stringify({ event_type: w.name, phrase: w.phrase, source: w.source, at: this.#wake.at }), false);
      this.publishState();
    });
    bus.on('speech-changed', BUS_OWNER, () => {
      if (this.connected) void this.#discovery?.publish().catch((err) => log.warn({ err }, 'discovery publish failed'));
      this.publishState();
    });

    log.info({ url: safeUrl(this.#o.url), base: this.#o.topics.base, clientId: this.#o.clientOptions.clientId }, 'connecting to MQTT broker');
    const client = mqtt.connect(this.#o.url, this.#o.clientOptions);
    this.#client = client;
    if (this.#o.discovery) {
      this.#discovery = new DiscoveryPublisher(
        {
          publish: async (topic, payload, opts) => void (await client.publishAsync(topic, payload, opts)),
          subscribe: async (topic) => void (await client.subscribeAsync(topic, { qos: 1 })),
          unsubscribe: async (topic) => void (await client.unsubscribeAsync(topic)),
        },
        this.#o.topics.discoveryWildcard(this.#o.identity.deviceId),
        () => this.#buildDiscovery(),
        log,
      );
    }
    client.on('connect', () => void this.#onConnect());
    client.on('message', (topic, payload, packet) => this.#onMessage(topic, payload, packet.retain));
    client.on('error', (err) => this.#onError(err));
    client.on('close', () => this.#onClose());
    this.#statsTimer = setInterval(() => this.publishState(), this.#o.statsIntervalMs);
    this.#statsTimer.unref();
  }

  /** Publishes the state document once per tick, however many changes arrived. */
  publishState(): void {
    if (this.#statePending || this.#stopping) return;
    this.#statePending = true;
    setImmediate(() => {
      this.#statePending = false;
      if (!this.connected) return;
      const doc = buildState({
        satellite: this.#o.satellite(),
        haConnected: this.#haConnected,
        transcript: this.#transcript,
        wake: this.#wake,
        stats: this.#o.stats.snapshot(),
        models: this.#o.models(),
        version: this.#o.version,
      });
      this.#publish(this.#o.topics.state, JSON.stringify(doc), true);
    });
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#o.bus.removeOwner(BUS_OWNER);
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#birthTimer);
    clearInterval(this.#statsTimer);
    this.#discovery?.stop();
    const client = this.#client;
    if (!client) return;
    if (client.connected) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
      try {
        await Promise.race([
          (async () => {
            await client.publishAsync(this.#o.topics.availability, 'offline', { retain: true, qos: 1 });
            await client.endAsync();
          })(),
          bound,
        ]);
        this.#o.log.info('published offline and disconnected from MQTT broker');
      } catch (err) {
        this.#o.log.warn({ err }, 'MQTT shutdown was not clean');
      } finally {
        clearTimeout(timer);
      }
    }
    await client.endAsync(true).catch(() => undefined);
  }

  async #onConnect(): Promise<void> {
    const client = this.#client!;
    const { topics, log } = this.#o;
    this.#backoffMs = this.#o.reconnect.minMs;
    this.#lastErrorCode = undefined;
    log.info({ reconnect: this.#everConnected }, 'connected to MQTT broker');
    this.#everConnected = true;
    try {
      await client.publishAsync(topics.availability, 'online', { retain: true, qos: 1 });
      await client.subscribeAsync([...topics.commandTopics, topics.haStatus], { qos: 1 });
      await this.#discovery?.onConnect();
      this.publishState();
    } catch (err) {
      log.warn({ err }, 'MQTT set-up after connect failed; it is retried on the next connect');
    }
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const { topics, log } = this.#o;
    if (this.#discovery?.onMessage(topic, payload, retained)) return;
    if (topic === topics.haStatus) {
      if (payload.toString('utf8').trim() === 'online') this.#scheduleBirthRepublish();
      return;
    }
    const relative = topics.relativeCommand(topic);
    if (!relative) return;
    if (retained) {
      // A retained command would run again on every start (a restart loop); clear it, ignore it.
      log.warn({ topic }, 'ignoring a retained MQTT command; commands must not be retained');
      return;
    }
    void this.#commands.handle(relative, payload).catch((err) => log.error({ err }, 'MQTT command handling failed'));
  }

  #scheduleBirthRepublish(): void {
    if (this.#birthTimer || !this.#discovery) return;
    const random = this.#o.random ?? Math.random;
    const delay = BIRTH_REPUBLISH_MIN_MS + random() * (BIRTH_REPUBLISH_MAX_MS - BIRTH_REPUBLISH_MIN_MS);
    this.#o.log.info({ delayMs: Math.round(delay) }, 'Home Assistant came online; re-sending discovery');
    this.#birthTimer = setTimeout(() => {
      this.#birthTimer = undefined;
      if (!this.connected) return;
      void this.#discovery
        ?.publish()
        .then(() => this.publishState())
        .catch((err) => this.#o.log.warn({ err }, 'discovery publish failed'));
    }, delay);
    this.#birthTimer.unref();
  }

  #onError(err: Error): void {
    const { code, message } = describeConnectionError(err);
    // The first occurrence of a problem is an error; the same one again while retrying is noise.
    if (code !== this.#lastErrorCode) this.#o.log.error({ code, cause: err.message }, message);
    else this.#o.log.debug({ code, cause: err.message }, message);
    this.#lastErrorCode = code;
  }

  #onClose(): void {
    if (this.#stopping || this.#reconnectTimer) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#o.reconnect.maxMs);
    const level = this.#lastErrorCode ? 'debug' : 'warn';
    this.#o.log[level]({ retryInMs: delay }, this.#everConnected ? 'MQTT connection lost; reconnecting' : 'MQTT broker not reachable; retrying');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#stopping) this.#client?.reconnect();
    }, delay);
    this.#reconnectTimer.unref();
  }

  #buildDiscovery() {
    const sat = this.#o.satellite();
    const eventTypes = [...new Set([...(sat?.wakeWords ?? []), ...this.#o.providerWakeWords()])];
    return buildDiscovery({
      identity: this.#o.identity,
      topics: this.#o.topics,
      version: this.#o.version,
      area: this.#o.area,
      satelliteWakeWords: sat ? sat.wakeWords : null,
      wakeEventTypes: eventTypes,
    });
  }

  async #respond(response: CommandResponse): Promise<void> {
    this.#publish(this.#o.topics.response, JSON.stringify(response), false);
  }

  #publish(topic: string, payload: string, retain: boolean): void {
    if (!this.connected) return;
    this.#client!.publish(topic, payload, { retain, qos: 1 }, (err) => {
      if (err) this.#o.log.debug({ err, topic }, 'MQTT publish failed');
    });
  }
}
