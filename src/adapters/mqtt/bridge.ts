/**
 * The MQTT bridge: connects (with backoff), keeps `<base>/availability` truthful (online on
 * connect, offline as last will and on clean shutdown), publishes the state document and wake
 * events from the bus (the satellite's and the provider's apart), Home Assistant discovery, and
 * runs commands. Retained commands, and the empty messages that clear them, are never run (see
 * retained.ts). It never throws into the daemon: a broker that is down or refuses us only
 * produces log lines and retries.
 */
import mqtt, { type IClientOptions, type MqttClient, type IClientSubscribeOptions } from 'mqtt';
import type { CoreBus } from '../../core/bus.js';
import type { SatelliteControl } from '../../core/satellite-control.js';
import type { StatsSnapshot } from '../../core/provider-stats.js';
import type { Logger } from '../../util/logger.js';
import { CommandRunner, type CommandResponse } from './command-runner.js';
import { describeConnectionError, safeUrl } from './connection.js';
import { buildDiscovery, deviceIds } from './discovery.js';
import { DiscoveryPublisher } from './discovery-publisher.js';
import { leftovers, withCurrent, type PublishedIdentities, type PublishedIdentity } from './published.js';
import { RetainedReplayCheck } from './retained.js';
import { buildState, type Activity, type ModelSummary } from './state.js';
import type { MqttIdentity, MqttTopics } from './topics.js';

/** HA asks for a random delay before re-sending discovery after its birth message. */
export const BIRTH_REPUBLISH_MIN_MS = 500;
export const BIRTH_REPUBLISH_MAX_MS = 3000;
/** Bound on publishing `offline` and disconnecting at shutdown. */
export const STOP_TIMEOUT_MS = 3000;
const BUS_OWNER = 'mqtt';
/** CONNACK codes of a broker that does not speak MQTT 5 (3.1.1's "unacceptable protocol version", MQTT 5's 0x84). */
const UNSUPPORTED_PROTOCOL_CODES = new Set([1, 132]);

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
  /** Wake words the provider's wake service can report; null when the provider endpoint is off. */
  providerWakeWords: () => string[] | null;
  /** A service manager starts the daemon again after `restart`; without one there is no restart button and the command is refused. */
  supervised: boolean;
  restart: () => Promise<void> | void;
  /** Rescans the installed models (the `rescan` command). */
  rescan: () => Promise<void>;
  reconnect: { minMs: number; maxMs: number };
  statsIntervalMs: number;
  /** Where earlier device ids and base topics are remembered, so a rename leaves no ghost device. */
  published: PublishedIdentities | null;
  log: Logger;
  random?: () => number;
}

export class MqttBridge {
  readonly #o: MqttBridgeOptions;
  readonly #commands: CommandRunner;
  #client: MqttClient | undefined;
  #discovery: DiscoveryPublisher | undefined;
  #replays: RetainedReplayCheck | undefined;
  readonly #activity: Record<'satellite' | 'provider', Activity> = { satellite: { transcript: null, wake: null }, provider: { transcript: null, wake: null } };
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
      supervised: options.supervised,
      restart: options.restart,
      confirmLive: (topic, payload) => this.#confirmLive(topic, payload),
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
    bus.on('satellite-settings', BUS_OWNER, () => this.publishState());
    bus.on('ha-connection', BUS_OWNER, ({ connected }) => {
      this.#haConnected = connected;
      this.publishState();
    });
    // The satellite's activity and the provider's (served for any satellite) are kept apart.
    bus.on('transcript', BUS_OWNER, (t) => {
      this.#activity[t.source].transcript = { text: t.text, language: t.language, source: t.source, at: t.at.toISOString() };
      this.publishState();
    });
    bus.on('wake-detected', BUS_OWNER, (w) => {
      const wake = { word: w.name, phrase: w.phrase, source: w.source, at: w.at.toISOString() };
      this.#activity[w.source].wake = wake;
      const topic = w.source === 'satellite' ? this.#o.topics.wake : this.#o.topics.providerWake;
      this.#publish(topic, JSON.stringify({ event_type: w.name, phrase: w.phrase, source: w.source, at: wake.at }), false);
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
          subscribe: async (topics) => void (await client.subscribeAsync(topics, { qos: 1 })),
          unsubscribe: async (topics) => void (await client.unsubscribeAsync(topics)),
        },
        deviceIds(this.#o.identity).map((id) => this.#o.topics.discoveryWildcard(id)),
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
        satelliteActivity: this.#activity.satellite,
        providerActivity: this.#activity.provider,
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
      await client.subscribeAsync(topics.commandTopics, this.#commandSubscribeOptions());
      await client.subscribeAsync(topics.haStatus, { qos: 1 });
      await this.#publishDiscovery();
      this.publishState();
    } catch (err) {
      log.warn({ err }, 'MQTT set-up after connect failed; it is retried on the next connect');
    }
  }

  /**
   * Command topics keep the publisher's RETAIN flag under MQTT 5 (retain-as-published), so a
   * retained command stays recognisable however it arrives. Under the 3.1.1 fallback see retained.ts.
   */
  #commandSubscribeOptions(): IClientSubscribeOptions {
    return this.#client?.options.protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 };
  }

  /** Discovery, after remembering this identity and with every earlier one's leftovers cleared. */
  async #publishDiscovery(): Promise<void> {
    const { topics, identity, published } = this.#o;
    const current: PublishedIdentity = { device_ids: deviceIds(identity), base_topic: topics.base, discovery_prefix: topics.discoveryPrefix };
    const previous = published?.load() ?? [];
    published?.save(withCurrent(previous, current));
    const left = leftovers(previous, current);
    for (const topic of left.topics) {
      this.#o.log.info({ topic }, 'clearing a retained topic of an earlier name');
      await this.#client!.publishAsync(topic, '', { retain: true, qos: 1 });
    }
    if (!this.#discovery) {
      if (left.wildcards.length === 0) published?.save([current]);
      return;
    }
    await this.#discovery.onConnect(left.wildcards);
    void this.#discovery.lastScan.then((ok) => ok && published?.save([current]));
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const { topics, log } = this.#o;
    if (this.#replays?.observe(topic, payload, retained)) return;
    if (this.#discovery?.onMessage(topic, payload, retained)) return;
    if (topic === topics.haStatus) {
      if (payload.toString('utf8').trim() === 'online') this.#scheduleBirthRepublish();
      return;
    }
    const relative = topics.relativeCommand(topic);
    if (!relative) return;
    if (payload.length === 0) {
      // An empty message is how a retained one is cleared: never a command.
      log.debug({ topic }, 'ignoring an empty MQTT command payload');
      return;
    }
    if (retained) {
      // A retained command would run again on every start (a restart loop): ignore it.
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

  /**
   * Restart must never come from a retained message. Under MQTT 5 the flag already told; under
   * the 3.1.1 fallback the broker is asked whether it retains this very message (retained.ts).
   */
  async #confirmLive(relativeTopic: string, payload: Buffer): Promise<boolean> {
    const client = this.#client;
    if (!client || client.options.protocolVersion === 5) return true;
    this.#replays ??= new RetainedReplayCheck(async (topic) => void (await client.subscribeAsync(topic, { qos: 1 })));
    const retained = await this.#replays.isRetained(this.#o.topics.command(relativeTopic), payload);
    if (retained) this.#o.log.warn({ topic: relativeTopic }, 'ignoring a retained MQTT command; commands must not be retained');
    return !retained;
  }

  #onError(err: Error): void {
    const client = this.#client;
    const refusedCode = (err as { code?: unknown }).code;
    if (client && client.options.protocolVersion === 5 && typeof refusedCode === 'number' && UNSUPPORTED_PROTOCOL_CODES.has(refusedCode)) {
      // An old broker: speak 3.1.1 from the next attempt on.
      client.options.protocolVersion = 4;
      this.#o.log.warn('the MQTT broker does not speak MQTT 5; using MQTT 3.1.1 (a restart command is then checked against the retained store)');
      return;
    }
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
    return buildDiscovery({
      identity: this.#o.identity,
      topics: this.#o.topics,
      version: this.#o.version,
      area: this.#o.area,
      satelliteWakeWords: sat ? sat.wakeWords : null,
      providerWakeWords: this.#o.providerWakeWords(),
      restart: this.#o.supervised,
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
