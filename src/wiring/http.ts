/** Starts the OpenAI-compatible HTTP shim when `http.enabled` is set. */
import { createOpenAiShim } from '../adapters/http/openai-shim.js';
import type { ProviderStats } from '../core/provider-stats.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import type { DaemonContext } from './daemon-context.js';
import { moduleLogger } from '../util/logger.js';

export interface HttpParts {
  stats: ProviderStats;
  satellite: SatelliteControl | undefined;
}

/** Routes that are probes, not work: kept out of the per-service request stats. */
const UNCOUNTED_ROUTES = new Set(['health', 'metrics', 'unknown']);

export async function startHttp(context: DaemonContext, parts: HttpParts): Promise<void> {
  const { config } = context;
  if (!config.http.enabled) return;
  const log = moduleLogger('http', context.log);
  const shim = createOpenAiShim({
    config,
    speech: context.speech,
    stats: parts.stats,
    startedAt: parts.stats.startedAt,
    log,
    onRequest: (record) => {
      const level = UNCOUNTED_ROUTES.has(record.route) ? 'debug' : 'info';
      // `status` is what the client was sent (499: nothing was); `completed` false: the response was cut short.
      log[level]({ route: record.route, status: record.status, ms: Math.round(record.ms), code: record.code, completed: record.completed }, 'request');
      if (UNCOUNTED_ROUTES.has(record.route)) return;
      context.bus.emit('provider-request', { service: `http-${record.route}`, ok: record.status < 400, ms: record.ms, code: record.code });
    },
  });
  context.endpoints.http = await shim.listen();
  context.lifecycle.onStop('http shim', () => shim.close());
}
