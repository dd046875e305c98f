/**
 * What GET /metrics reports, in the Prometheus text format: HTTP requests and latency per route,
 * real-time factor per engine, requests in flight per engine, plus the daemon-wide stats
 * (event-loop delay, Wyoming provider requests) and the installed models.
 */
import { loadedCount, MODEL_KINDS, type ModelListing } from '../../core/speech/loaded-models.js';
import type { StatsSnapshot } from '../../core/provider-stats.js';

/** Latency histogram buckets in seconds. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

interface RtfTotals {
  audioSeconds: number;
  processingSeconds: number;
  last: number;
}

export interface MetricsSources {
  stats: StatsSnapshot;
  models: ModelListing;
  inFlight: Map<string, number>;
}

export class HttpMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #rtf = new Map<string, RtfTotals>();

  recordRequest(route: string, method: string, status: number, seconds: number): void {
    const key = labels({ route, method, status: String(status) });
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const h = this.#latency.get(route) ?? { buckets: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 };
    LATENCY_BUCKETS_S.forEach((bound, i) => {
      if (seconds <= bound) h.buckets[i]!++;
    });
    h.sum += seconds;
    h.count++;
    this.#latency.set(route, h);
  }

  /** One engine run: `audioSeconds` of audio heard or produced in `processingSeconds`. */
  recordRtf(kind: 'asr' | 'tts', model: string, audioSeconds: number, processingSeconds: number): void {
    if (audioSeconds <= 0) return;
    const key = labels({ kind, model });
    const t = this.#rtf.get(key) ?? { audioSeconds: 0, processingSeconds: 0, last: 0 };
    t.audioSeconds += audioSeconds;
    t.processingSeconds += processingSeconds;
    t.last = processingSeconds / audioSeconds;
    this.#rtf.set(key, t);
  }

  render(sources: MetricsSources): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, rows: Array<[string, number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [l, v] of rows) out.push(`${name}${l} ${formatNumber(v)}`);
    };
    metric('satellite_http_requests_total', 'counter', 'HTTP requests by route, method and status.', [...this.#requests]);
    out.push('# HELP satellite_http_request_duration_seconds HTTP request latency by route.');
    out.push('# TYPE satellite_http_request_duration_seconds histogram');
    for (const [route, h] of this.#latency) {
      LATENCY_BUCKETS_S.forEach((bound, i) => {
        out.push(`satellite_http_request_duration_seconds_bucket${labels({ route, le: String(bound) })} ${h.buckets[i]}`);
      });
      out.push(`satellite_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${h.count}`);
      out.push(`satellite_http_request_duration_seconds_sum${labels({ route })} ${formatNumber(h.sum)}`);
      out.push(`satellite_http_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    const rtf = [...this.#rtf];
    metric('satellite_engine_audio_seconds_total', 'counter', 'Seconds of audio transcribed or synthesized over HTTP.', rtf.map(([l, t]) => [l, t.audioSeconds]));
    metric('satellite_engine_processing_seconds_total', 'counter', 'Engine time spent on that audio.', rtf.map(([l, t]) => [l, t.processingSeconds]));
    metric('satellite_engine_rtf', 'gauge', 'Real-time factor (processing time / audio time) over all requests.', rtf.map(([l, t]) => [l, t.processingSeconds / t.audioSeconds]));
    metric('satellite_engine_rtf_last', 'gauge', 'Real-time factor of the most recent request.', rtf.map(([l, t]) => [l, t.last]));
    metric('satellite_http_in_flight', 'gauge', 'HTTP requests running per engine.', [...sources.inFlight].map(([engine, n]) => [labels({ engine }), n]));
    this.#renderDaemon(sources, metric);
    return `${out.join('\n')}\n`;
  }

  #renderDaemon(sources: MetricsSources, metric: (name: string, type: string, help: string, rows: Array<[string, number]>) => void): void {
    const { stats, models } = sources;
    metric('satellite_event_loop_delay_p99_seconds', 'gauge', 'Event-loop delay, 99th percentile.', [['', stats.eventLoopDelayP99Ms / 1000]]);
    metric('satellite_event_loop_delay_max_seconds', 'gauge', 'Event-loop delay, maximum.', [['', stats.eventLoopDelayMaxMs / 1000]]);
    metric('satellite_uptime_seconds', 'gauge', 'Seconds since the daemon started.', [['', stats.uptimeSeconds]]);
    const services = Object.entries(stats.services);
    metric('satellite_service_requests_total', 'counter', 'Requests per service (Wyoming provider and HTTP).', services.map(([service, s]) => [labels({ service }), s.requests]));
    metric('satellite_service_errors_total', 'counter', 'Failed requests per service.', services.map(([service, s]) => [labels({ service }), s.errors]));
    const installed = MODEL_KINDS.flatMap((kind) => models[kind].installed.map((model) => ({ kind, model, loaded: models[kind].loaded.includes(model) })));
    metric('satellite_model_installed', 'gauge', 'Installed models (1 each).', installed.map((m) => [labels({ kind: m.kind, model: m.model }), 1]));
    metric('satellite_model_loaded', 'gauge', 'Whether a model is loaded in memory now.', installed.map((m) => [labels({ kind: m.kind, model: m.model }), m.loaded ? 1 : 0]));
    metric('satellite_models_loaded', 'gauge', 'Models loaded in memory now (the MQTT loaded_models figure).', [['', loadedCount(models)]]);
    const memory = process.memoryUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory of the daemon.', [['', memory.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', memory.heapUsed]]);
  }
}

function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Math.round(value * 1e6) / 1e6);
}
