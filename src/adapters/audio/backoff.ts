/** Exponential backoff for reopening a device: initial, doubled after each failure, capped. */
export class Backoff {
  #next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.#next = initialMs;
  }

  /** The wait before the next attempt; each call doubles the one after. */
  take(): number {
    const wait = this.#next;
    this.#next = Math.min(this.maxMs, Math.max(1, this.#next * 2));
    return wait;
  }

  reset(): void {
    this.#next = this.initialMs;
  }
}

/** How a device is doing, for logs, `satellite-state` and MQTT. */
export type DeviceStatus =
  | { state: 'stopped' }
  | { state: 'opening' }
  | { state: 'running' }
  | { state: 'failed'; error: string; retryInMs: number };

export function describeStatus(what: string, status: DeviceStatus): string | undefined {
  return status.state === 'failed' ? `${what} unavailable: ${status.error} (retrying in ${Math.round(status.retryInMs / 1000)} s)` : undefined;
}
