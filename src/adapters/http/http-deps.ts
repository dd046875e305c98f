/** What the route handlers share: the daemon's engines and settings plus the shim's own helpers. */
import type { Config } from '../../config/schema.js';
import type { EngineRegistry } from '../../wiring/daemon-context.js';
import type { ProviderStats } from '../../core/provider-stats.js';
import type { EngineLimiter } from './engine-limiter.js';
import type { Ffmpeg } from './ffmpeg.js';
import type { HttpMetrics } from './http-metrics.js';

export interface HttpDeps {
  config: Readonly<Pick<Config, 'http' | 'stt' | 'tts' | 'vad'>>;
  engines: EngineRegistry;
  stats: ProviderStats;
  ffmpeg: Ffmpeg;
  limiter: EngineLimiter;
  metrics: HttpMetrics;
  /** Unix seconds reported as `created` for models. */
  startedAt: Date;
}
