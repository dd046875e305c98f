/**
 * Publishes the discovery payloads retained and keeps the broker free of ghosts: retained configs
 * of this device found at connect that are no longer wanted, and entities that disappeared since
 * the last publish, are cleared with an empty retained payload.
 */
import type { Logger } from '../../util/logger.js';
import type { DiscoveryMessage } from './discovery.js';

/** How long retained configs of this device are collected after subscribing (z2m uses 5 s). */
export const STALE_SCAN_MS = 2000;

export interface Publisher {
  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): Promise<void>;
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
}

export class DiscoveryPublisher {
  #current = new Set<string>();
  #found = new Set<string>();
  #scanning = false;
  #scanTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Publisher,
    private readonly wildcard: string,
    private readonly build: () => DiscoveryMessage[],
    private readonly log: Logger,
    private readonly scanMs = STALE_SCAN_MS,
  ) {}

  /** On (re)connect: learn what is retained for this device, publish, then clear the rest. */
  async onConnect(): Promise<void> {
    this.#found.clear();
    this.#scanning = true;
    await this.client.subscribe(this.wildcard);
    await this.publish();
    clearTimeout(this.#scanTimer);
    this.#scanTimer = setTimeout(() => void this.#finishScan(), this.scanMs);
    this.#scanTimer.unref();
  }

  /** Retained config messages seen on the wildcard; returns true when it was one. */
  onMessage(topic: string, payload: Buffer, retained: boolean): boolean {
    if (!this.#scanning || !topicMatches(this.wildcard, topic)) return false;
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
    this.#scanning = false;
  }

  async #finishScan(): Promise<void> {
    this.#scanning = false;
    try {
      await this.client.unsubscribe(this.wildcard);
      for (const topic of this.#found) if (!this.#current.has(topic)) await this.#clear(topic);
    } catch (err) {
      this.log.debug({ err }, 'stale discovery scan ended early');
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
