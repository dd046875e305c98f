/** What the route handlers share: the speech service and settings plus the shim's own helpers. */
import type { Config } from '../../config/schema.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import type { ProviderStats } from '../../core/provider-stats.js';
import type { EngineLimiter } from './engine-limiter.js';
import type { Ffmpeg } from './ffmpeg.js';
import type { HttpMetrics } from './http-metrics.js';
import type { SpeechActivity } from './speech-activity.js';

export interface HttpDeps {
  config: Readonly<Pick<Config, 'http' | 'stt' | 'tts' | 'vad'>>;
  speech: SpeechService;
  stats: ProviderStats;
  ffmpeg: Ffmpeg;
  limiter: EngineLimiter;
  metrics: HttpMetrics;
  /** Unix seconds reported as `created` for models. */
  startedAt: Date;
  /** Where transcripts and spoken text are reported (the live view's captions). */
  activity: SpeechActivity;
}
