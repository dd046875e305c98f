/** Starts the OpenAI-compatible HTTP shim when `http.enabled` is set. */
import { createOpenAiShim } from '../adapters/http/openai-shim.js';
import { loadTls } from '../adapters/http/tls.js';
import type { ProviderStats } from '../core/provider-stats.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import type { DaemonContext } from './daemon-context.js';
import { moduleLogger } from '../util/logger.js';
import { WEB_VIEW_ROUTE_NAMES } from '../adapters/http/ui/web-view-routes.js';
import { startWebView } from './web-view.js';

export interface HttpParts {
  stats: ProviderStats;
  satellite: SatelliteControl | undefined;
}

/** Routes that are probes, not work: kept out of the per-service request stats. */
const UNCOUNTED_ROUTES = new Set<string>(['health', 'metrics', 'unknown', ...WEB_VIEW_ROUTE_NAMES]);

export async function startHttp(context: DaemonContext, parts: HttpParts): Promise<void> {
  const { config } = context;
  if (!config.http.enabled) return;
  const log = moduleLogger('http', context.log);
  // Before the web view starts, so a bad certificate leaves nothing running.
  const tls = await loadTls(config.http.tls, config.state_dir, [config.http.host]);
  if (tls) log.info({ cert: tls.certFile }, 'serving HTTPS');
  const webView = config.http.ui.enabled ? startWebView(context, parts.satellite, moduleLogger('web-view', context.log)) : undefined;
  const shim = createOpenAiShim({
    tls,
    config,
    speech: context.speech,
    bus: context.bus,
    stats: parts.stats,
    startedAt: parts.stats.startedAt,
    log,
    extraRoutes: webView?.routes,
    onRequest: (record) => {
      const level = UNCOUNTED_ROUTES.has(record.route) ? 'debug' : 'info';
      // `status` is what the client was sent (499: nothing was); `completed` false: the response was cut short.
      log[level]({ route: record.route, status: record.status, ms: Math.round(record.ms), code: record.code, completed: record.completed }, 'request');
      if (UNCOUNTED_ROUTES.has(record.route)) return;
      context.bus.emit('provider-request', { service: `http-${record.route}`, ok: record.status < 400, ms: record.ms, code: record.code });
    },
  });
  context.endpoints.http = await shim.listen().catch(async (err: unknown) => {
    await webView?.close();
    throw err;
  });
  context.lifecycle.onStop('http shim', () => shim.close());
  // Registered after the shim so it stops first: its event streams end at once instead of holding the shim's drain.
  if (webView) context.lifecycle.onStop('web view', () => webView.close());
}
