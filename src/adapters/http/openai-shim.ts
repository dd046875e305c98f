/** Assembles the OpenAI-compatible shim: the server, its routes and their shared helpers. */
import type { Config } from '../../config/schema.js';
import type { CoreBus } from '../../core/bus.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import type { ProviderStats } from '../../core/provider-stats.js';
import type { Logger } from '../../util/logger.js';
import { EngineLimiter } from './engine-limiter.js';
import { Ffmpeg } from './ffmpeg.js';
import type { HttpDeps } from './http-deps.js';
import { HttpMetrics } from './http-metrics.js';
import { HttpShimServer, type RequestRecord, type Route } from './http-server.js';
import { infoRoutes } from './info-routes.js';
import { RealtimeHub } from './realtime/realtime-upgrade.js';
import { FORM_OVERHEAD_BYTES, JSON_SETTING, tooLarge, UPLOAD_SETTING } from './request-body.js';
import { busActivity } from './speech-activity.js';
import { speechRoutes } from './speech-route.js';
import { transcriptionRoutes } from './transcription-route.js';

export interface OpenAiShimOptions {
  config: Readonly<Pick<Config, 'http' | 'stt' | 'tts' | 'vad'>>;
  speech: SpeechService;
  stats: ProviderStats;
  startedAt: Date;
  log: Logger;
  onRequest?: (record: RequestRecord) => void;
  /** Routes of other parts served on the same server with the same key (the live web view). */
  extraRoutes?: Route[];
  /** Serve HTTPS (and wss:// for Realtime) with this certificate and key. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** The daemon's bus: transcripts and spoken text are reported there as provider activity. */
  bus?: CoreBus;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export function createOpenAiShim(options: OpenAiShimOptions): HttpShimServer {
  const settings = options.config.http;
  const metrics = new HttpMetrics();
  const deps: HttpDeps = {
    config: options.config,
    speech: options.speech,
    stats: options.stats,
    ffmpeg: new Ffmpeg(settings.ffmpeg),
    limiter: new EngineLimiter(settings.max_concurrent, settings.retry_after_s),
    metrics,
    startedAt: options.startedAt,
    activity: busActivity(options.bus, 'http'),
  };
  if (!settings.api_key && !isLoopback(settings.host)) {
    options.log.warn({ host: settings.host }, 'the HTTP shim listens beyond loopback without an api_key: anyone who can reach it may use it');
  }
  return new HttpShimServer({
    host: settings.host,
    port: settings.port,
    apiKey: settings.api_key,
    corsOrigins: settings.cors_origins,
    requestTimeoutMs: settings.request_timeout_s * 1000,
    maxConnections: settings.max_connections,
    maxBodyBytes: Math.max(settings.max_upload_bytes + FORM_OVERHEAD_BYTES, settings.max_json_bytes),
    bodyTooLarge: () =>
      settings.max_upload_bytes + FORM_OVERHEAD_BYTES >= settings.max_json_bytes
        ? tooLarge({ bytes: settings.max_upload_bytes, setting: UPLOAD_SETTING, file: true })
        : tooLarge({ bytes: settings.max_json_bytes, setting: JSON_SETTING, file: false }),
    retryAfterSeconds: settings.retry_after_s,
    routes: [...transcriptionRoutes(deps), ...speechRoutes(deps), ...infoRoutes(deps), ...(options.extraRoutes ?? [])],
    tls: options.tls,
    upgrade: new RealtimeHub({ speech: options.speech, config: options.config, activity: busActivity(options.bus, 'realtime'), log: options.log.child({ component: 'realtime' }) }),
    log: options.log,
    onRequest: (record) => {
      metrics.recordRequest(record.route, record.method, record.status, record.ms / 1000);
      options.onRequest?.(record);
    },
  });
}
