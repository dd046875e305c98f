/**
 * Publishes the discovery payloads retained and keeps the broker free of ghosts: retained configs
 * of this daemon's devices found at connect that are no longer wanted (an older version's entity,
 * or every entity of a device id used before a rename), and entities that disappeared since the
 * last publish, are cleared with an empty retained payload.
 */
import type { Logger } from '../../util/logger.js';
import type { DiscoveryMessage } from './discovery.js';

/** How long retained configs of this device are collected after subscribing (z2m uses 5 s). */
export const STALE_SCAN_MS = 2000;

export interface Publisher {
  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): Promise<void>;
  subscribe(topics: string[]): Promise<void>;
  unsubscribe(topics: string[]): Promise<void>;
}

export class DiscoveryPublisher {
  #current = new Set<string>();
  #found = new Set<string>();
  #scanning: string[] = [];
  #scanTimer: NodeJS.Timeout | undefined;
  #scanDone: (ok: boolean) => void = () => undefined;
  /** Settles when the scan started by the last `onConnect` is over: true when every stale config was cleared. */
  lastScan: Promise<boolean> = Promise.resolve(true);

  /** `wildcards`: this daemon's own devices (see `MqttTopics.discoveryWildcard`). */
  constructor(
    private readonly client: Publisher,
    private readonly wildcards: readonly string[],
    private readonly build: () => DiscoveryMessage[],
    private readonly log: Logger,
    private readonly scanMs = STALE_SCAN_MS,
  ) {}

  /**
   * On (re)connect: learn what is retained for these devices (and for `previous` ones, device ids
   * this daemon published under before), publish, then clear the rest.
   */
  async onConnect(previous: readonly string[] = []): Promise<void> {
    this.#scanDone(false);
    this.#found.clear();
    this.#scanning = [...new Set([...this.wildcards, ...previous])];
    this.lastScan = new Promise((resolve) => (this.#scanDone = resolve));
    await this.client.subscribe(this.#scanning);
    await this.publish();
    clearTimeout(this.#scanTimer);
    this.#scanTimer = setTimeout(() => void this.#finishScan(), this.scanMs);
    this.#scanTimer.unref();
  }

  /** Retained config messages seen on the wildcards; returns true when it was one. */
  onMessage(topic: string, payload: Buffer, retained: boolean): boolean {
    if (!this.#scanning.some((w) => topicMatches(w, topic))) return false;
    if (retained && payload.length > 0) this.#found.add(topic);
    return true;
  }

  /** Publishes every payload; entities gone since the previous publish are cleared. */
  async publish(): Promise<void> {
    const messages = this.build();
    const next = new Set(messages.map((m) => m.topic));
    for (const m of messages) await this.client.publish(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 });
    for (const topic of this.#current) if (!next.has(topic)) await this.#clear(topic);
    this.#current = next;
    this.log.debug({ entities: messages.length }, 'discovery published');
  }

  stop(): void {
    clearTimeout(this.#scanTimer);
    this.#scanning = [];
    this.#scanDone(false);
  }

  async #finishScan(): Promise<void> {
    const wildcards = this.#scanning;
    this.#scanning = [];
    try {
      await this.client.unsubscribe(wildcards);
      for (const topic of this.#found) if (!this.#current.has(topic)) await this.#clear(topic);
      this.#scanDone(true);
    } catch (err) {
      this.log.debug({ err }, 'stale discovery scan ended early');
      this.#scanDone(false);
    }
  }

  async #clear(topic: string): Promise<void> {
    this.log.info({ topic }, 'clearing discovery of an entity that no longer exists');
    await this.client.publish(topic, '', { retain: true, qos: 1 });
  }
}

/** MQTT wildcard match for `+` levels (no `#` needed here). */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  return p.length === t.length && p.every((level, i) => level === '+' || level === t[i]);
}
