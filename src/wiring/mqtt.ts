/** Starts the MQTT bridge (status, control, Home Assistant discovery) when a broker URL is set. */
import type { DaemonContext } from './daemon-context.js';
import type { ProviderStats } from '../core/provider-stats.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import { qualifiedNames } from '../core/speech/loaded-models.js';
import { VERSION } from '../version.js';
import { displayName, machineShortId } from '../adapters/mdns/mdns-identity.js';
import { MqttBridge } from '../adapters/mqtt/bridge.js';
import { clientOptions } from '../adapters/mqtt/connection.js';
import { PublishedIdentities } from '../adapters/mqtt/published.js';
import type { ModelSummary } from '../adapters/mqtt/state.js';
import { defaultBaseTopic, mqttIdentity, MqttTopics, type MqttIdentity } from '../adapters/mqtt/topics.js';
import { moduleLogger } from '../util/logger.js';

/** Exit status after a restart command: non-zero, so systemd's Restart=on-failure starts us again. */
export const RESTART_EXIT_CODE = 75;

export interface MqttWiringOptions {
  stats: ProviderStats;
  satellite: SatelliteControl | undefined;
  /** Injected by tests so a restart command does not end the test runner. */
  exit?: (code: number) => void;
}

export async function startMqtt(context: DaemonContext, options: MqttWiringOptions): Promise<void> {
  const { config } = context;
  const log = moduleLogger('mqtt', context.log);
  const url = config.mqtt.url;
  if (!url) {
    log.debug('MQTT off (no mqtt.url)');
    return;
  }
  const shortId = machineShortId();
  const identity = mqttDeviceIdentity(config.name, shortId);
  const topics = new MqttTopics(config.mqtt.base_topic ?? defaultBaseTopic(config.name, shortId), config.mqtt.discovery_prefix);
  let connectOptions;
  try {
    connectOptions = clientOptions({ ...config.mqtt, url }, { clientId: `speech-satellite-${identity.deviceId}`, availabilityTopic: topics.availability });
  } catch (err) {
    // Bad credentials files are a user error to report; the Wyoming endpoints still serve.
    log.error({ err, code: (err as { code?: string }).code }, 'MQTT not started');
    return;
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const bridge = new MqttBridge({
    url,
    clientOptions: connectOptions,
    topics,
    identity,
    discovery: config.mqtt.discovery,
    version: VERSION,
    area: config.area,
    bus: context.bus,
    stats: options.stats,
    satellite: () => options.satellite,
    models: () => modelSummary(context),
    // Provider activity exists only where the provider endpoint serves (with wake words only if it offers wake).
    providerWakeWords: () => (config.provider.enabled ? (config.wake.enabled ? context.speech.wakeModels().map((m) => m.name) : []) : null),
    supervised: isSupervised(config.mqtt.supervised),
    restart: async () => {
      log.warn({ exitCode: RESTART_EXIT_CODE }, 'restart requested over MQTT: stopping, the service manager starts the daemon again');
      await context.lifecycle.stop();
      exit(RESTART_EXIT_CODE);
    },
    rescan: () => context.speech.rescan('MQTT rescan command'),
    reconnect: { minMs: config.mqtt.reconnect.min_s * 1000, maxMs: config.mqtt.reconnect.max_s * 1000 },
    statsIntervalMs: config.mqtt.stats_interval_s * 1000,
    // state_dir is resolved when the config is loaded; without one nothing is remembered.
    published: config.state_dir ? new PublishedIdentities(config.state_dir, log) : null,
    log,
  });
  bridge.start();
  context.lifecycle.onStop('mqtt', () => bridge.stop());
}

/** The MQTT device: ids and topics keyed as before, shown under the daemon's one display name (like the satellite and the mDNS instances). */
export function mqttDeviceIdentity(configuredName: string | null, shortId: string): MqttIdentity {
  return { ...mqttIdentity(configuredName, shortId), name: displayName(configuredName, { shortId: () => shortId }) };
}

/**
 * Whether a service manager starts the daemon again after it exits (the restart button depends on
 * it): `mqtt.supervised`, else systemd's INVOCATION_ID, which it sets for every service it runs.
 */
export function isSupervised(configured: boolean | null, env: NodeJS.ProcessEnv = process.env): boolean {
  return configured ?? Boolean(env['INVOCATION_ID']);
}

/** Installed models and those in memory now, as `kind/name` (the same figures as /metrics). */
function modelSummary(context: DaemonContext): ModelSummary {
  const listing = context.speech.loadedModels();
  return { installed: qualifiedNames(listing, 'installed'), loaded: qualifiedNames(listing, 'loaded') };
}
