/**
 * Telling a retained command from a live one.
 *
 * MQTT 5 (what the bridge speaks): command topics are subscribed with retain-as-published, so the
 * broker keeps the RETAIN flag on messages it forwards to a subscriber that is already connected,
 * and the flag is the answer. MQTT 3.1.1 (the fallback for brokers without MQTT 5) clears the
 * flag on those (§3.3.1.3): a retained `PRESS`, or the empty retained message that clears it,
 * arrives looking live. There the answer comes from the broker's retained store instead: a
 * SUBSCRIBE repeated for a topic makes the broker send what it retains on it again (§3.8.4), with
 * the flag set. The check asks that only for a command about to restart the daemon.
 */

/** How long after the SUBACK a replay of the retained message is waited for. */
export const REPLAY_WAIT_MS = 500;

interface Watch {
  topic: string;
  payload: Buffer;
  resolve: (retained: boolean) => void;
}

export class RetainedReplayCheck {
  #watches: Watch[] = [];

  constructor(
    private readonly subscribe: (topic: string) => Promise<void>,
    private readonly waitMs = REPLAY_WAIT_MS,
  ) {}

  /** Whether the broker retains `payload` on `topic` right now. */
  async isRetained(topic: string, payload: Buffer): Promise<boolean> {
    let watch!: Watch;
    const answer = new Promise<boolean>((resolve) => (watch = { topic, payload, resolve }));
    this.#watches.push(watch);
    const done = (retained: boolean) => {
      this.#watches = this.#watches.filter((w) => w !== watch);
      watch.resolve(retained);
    };
    try {
      await this.subscribe(topic);
    } catch {
      done(true); // cannot tell: do nothing rather than restart
      return answer;
    }
    const timer = setTimeout(() => done(false), this.waitMs);
    timer.unref();
    const retained = await answer;
    clearTimeout(timer);
    return retained;
  }

  /** Every incoming message; true when it was a replay being waited for (the caller ignores it). */
  observe(topic: string, payload: Buffer, retain: boolean): boolean {
    if (!retain) return false;
    const watch = this.#watches.find((w) => w.topic === topic);
    if (!watch) return false;
    this.#watches = this.#watches.filter((w) => w !== watch);
    watch.resolve(payload.equals(watch.payload));
    return true;
  }
}
