/**
 * What the composition root hands every part of the daemon. Parts register engines into the
 * registries, provider services into `providerServices`, and stop hooks on the lifecycle.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import type { AsrEngine } from '../engines/asr/asr.js';
import type { TtsEngine } from '../engines/tts/tts.js';
import type { WakeEngine } from '../engines/wake/wake.js';
import type { Lifecycle } from '../util/lifecycle.js';
import type { Logger } from '../util/logger.js';
import type { ProviderService } from '../adapters/wyoming/wyoming-provider.js';
import type { CoreBus } from '../core/bus.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import type { VadFactory } from '../engines/vad/vad.js';
import type { ProviderStats } from '../core/provider-stats.js';

export interface EngineRegistry {
  /** Installed ASR models by name, in preference order. */
  asr: Map<string, AsrEngine>;
  /** TTS engines by id; each offers one or more voices. */
  tts: Map<string, TtsEngine>;
  /** Wake engines by id; each offers one or more wake models. */
  wake: Map<string, WakeEngine>;
  /** Creates VAD streams when a Silero model is installed. */
  vad: VadFactory | undefined;
}

export interface DaemonContext {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly lifecycle: Lifecycle;
  readonly bus: CoreBus;
  /** Request/error counters and event-loop delay, for MQTT diagnostics and /metrics. */
  readonly stats: ProviderStats;
  readonly engines: EngineRegistry;
  readonly providerServices: ProviderService[];
  /** Bound addresses, filled in once each endpoint listens. */
  readonly endpoints: { provider?: AddressInfo; satellite?: AddressInfo; http?: AddressInfo };
  /** Set by the satellite part when it runs. */
  satellite: SatelliteControl | undefined;
  readonly startedAt: Date;
  readonly version: string;
}
