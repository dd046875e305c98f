/**
 * Composition root of the daemon: the instance lock, the bus, the speech service (first model
 * scan), then each front end in order — model downloads, the Wyoming provider, the satellite,
 * MQTT, mDNS, the HTTP shim — each registering its stop for ordered shutdown.
 */
import type { Config } from '../config/schema.js';
import { CoreBus } from '../core/bus.js';
import { ProviderStats } from '../core/provider-stats.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import { acquireInstanceLock } from '../util/instance-lock.js';
import { Lifecycle } from '../util/lifecycle.js';
import { moduleLogger, type Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import type { DaemonContext } from './daemon-context.js';
import { startModels } from './models.js';
import { startProvider } from './provider.js';
import { startSpeech } from './speech.js';

export interface Daemon {
  readonly context: DaemonContext;
  readonly stats: ProviderStats;
  /** The local satellite, when it runs. */
  readonly satellite: SatelliteControl | undefined;
  stop(): Promise<void>;
}

export async function startDaemon(config: Readonly<Config>, log: Logger, lifecycle = new Lifecycle(log)): Promise<Daemon> {
  log.info({ version: VERSION, modelsDir: config.models_dir }, 'starting speech-satellite');
  // One daemon per state dir: a second would fight over the models, the state file and the ports.
  const lock = await acquireInstanceLock(config.state_dir!);
  lifecycle.onStop('instance lock', () => lock.release());
  const bus = new CoreBus(moduleLogger('bus', log));
  const stats = new ProviderStats(bus);
  lifecycle.onStop('stats', () => stats.stop());
  // Preloads wait until every endpoint serves: `describe` is answered before any model loads.
  let endpointsServe!: () => void;
  const preloadAfter = new Promise<void>((resolve) => (endpointsServe = resolve));
  const speech = await startSpeech({ config, bus, lifecycle, log, preloadAfter });
  const context: DaemonContext = { config, log, lifecycle, bus, speech, endpoints: {} };

  // The models check runs first so the first `info` lists what a pull will add, and so its
  // synchronous folder scan never stalls a peer that connected after `ready`.
  await startModels(context);
  await startProvider(context);
  // Front ends that are off are never imported: their modules (audio, MQTT, mDNS, HTTP) cost
  // start-up time and memory on a small board.
  const satellite = config.satellite.enabled ? await (await import('./satellite.js')).startSatellite(context) : undefined;
  if (config.mqtt.url) await (await import('./mqtt.js')).startMqtt(context, { stats, satellite });
  if (config.mdns.enabled) await (await import('./mdns.js')).startMdns(context);
  if (config.http.enabled) await (await import('./http.js')).startHttp(context, { stats, satellite });

  log.info({ endpoints: summarize(context) }, 'ready');
  setImmediate(endpointsServe);
  return { context, stats, satellite, stop: () => lifecycle.stop() };
}

function summarize(context: DaemonContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, address] of Object.entries(context.endpoints)) {
    if (address) out[name] = `${address.address}:${address.port}`;
  }
  return out;
}
