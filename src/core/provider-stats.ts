/**
 * Counters shared by MQTT diagnostics and the HTTP /metrics endpoint: requests and errors per
 * service (from the bus), request latency, and event-loop delay.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CoreBus } from './bus.js';

export interface ServiceStats {
  requests: number;
  errors: number;
  totalMs: number;
}

export interface StatsSnapshot {
  services: Record<string, ServiceStats>;
  requests: number;
  errors: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  uptimeSeconds: number;
}

/** 20 samples a second: enough to catch a blocked loop, without waking an idle daemon 100 times a second. */
const LOOP_RESOLUTION_MS = 50;

export class ProviderStats {
  readonly #services = new Map<string, ServiceStats>();
  readonly #loop: IntervalHistogram;
  readonly #started = Date.now();
  /** When the daemon started (reported as `created` of models, and uptime). */
  readonly startedAt = new Date(this.#started);

  constructor(bus: CoreBus) {
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    bus.on('provider-request', 'provider-stats', ({ service, ok, ms }) => {
      const s = this.#services.get(service) ?? { requests: 0, errors: 0, totalMs: 0 };
      s.requests++;
      if (!ok) s.errors++;
      s.totalMs += ms;
      this.#services.set(service, s);
    });
  }

  snapshot(): StatsSnapshot {
    const services: Record<string, ServiceStats> = {};
    let requests = 0;
    let errors = 0;
    for (const [name, s] of this.#services) {
      services[name] = { ...s };
      requests += s.requests;
      errors += s.errors;
    }
    return {
      services,
      requests,
      errors,
      eventLoopDelayP99Ms: this.#loop.percentile(99) / 1e6,
      eventLoopDelayMaxMs: this.#loop.max / 1e6,
      uptimeSeconds: Math.round((Date.now() - this.#started) / 1000),
    };
  }

  stop(): void {
    this.#loop.disable();
  }
}
