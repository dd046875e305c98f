/**
 * Composition root of the daemon: builds the context, starts each part in order, opens the
 * Wyoming provider endpoint, and registers everything for ordered shutdown.
 */
import type { Config } from '../config/schema.js';
import { CoreBus } from '../core/bus.js';
import { ProviderStats } from '../core/provider-stats.js';
import type { DaemonContext } from './daemon-context.js';
import { createProviderHandler, providerInfo } from '../adapters/wyoming/wyoming-provider.js';
import { WyomingServer } from '../adapters/wyoming/wyoming-server.js';
import { Lifecycle } from '../util/lifecycle.js';
import { moduleLogger, type Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { startModels } from './models.js';
import { startStt } from './stt.js';
import { startTts } from './tts.js';
import { startWake } from './wake.js';
import { startSatellite } from './satellite.js';
import { startMqtt } from './mqtt.js';
import { startMdns } from './mdns.js';
import { startHttp } from './http.js';

export interface Daemon {
  readonly context: DaemonContext;
  stop(): Promise<void>;
}

export async function startDaemon(config: Readonly<Config>, log: Logger, lifecycle = new Lifecycle(log)): Promise<Daemon> {
  const bus = new CoreBus(moduleLogger('bus', log));
  const stats = new ProviderStats(bus);
  lifecycle.onStop('stats', () => stats.stop());
  const context: DaemonContext = {
    config,
    log,
    lifecycle,
    bus,
    stats,
    engines: { asr: new Map(), tts: new Map(), wake: new Map(), vad: undefined },
    providerServices: [],
    endpoints: {},
    satellite: undefined,
    startedAt: new Date(),
    version: VERSION,
  };
  log.info({ version: VERSION, modelsDir: config.models_dir }, 'starting speech-satellite');

  await startModels(context);
  await startStt(context);
  await startTts(context);
  await startWake(context);
  if (config.provider.enabled) await startProviderEndpoint(context);
  await startSatellite(context);
  await startMqtt(context);
  await startMdns(context);
  await startHttp(context);

  log.info({ endpoints: summarize(context) }, 'ready');
  return { context, stop: () => lifecycle.stop() };
}

async function startProviderEndpoint(context: DaemonContext): Promise<void> {
  const { config } = context;
  const log = moduleLogger('provider', context.log);
  const services = context.providerServices;
  const server = new WyomingServer({
    name: 'provider',
    host: config.provider.host,
    port: config.provider.port,
    maxConnections: config.provider.max_connections,
    maxConnectionsPerPeer: config.provider.max_connections_per_peer,
    frameTimeoutMs: config.provider.frame_timeout_s * 1000,
    idleTimeoutMs: config.provider.idle_timeout_s * 1000,
    limits: {
      maxHeaderBytes: config.provider.limits.max_header_bytes,
      maxDataBytes: config.provider.limits.max_data_bytes,
      maxPayloadBytes: config.provider.limits.max_payload_bytes,
    },
    info: () => providerInfo(services),
    createHandler: (connection) => createProviderHandler(services, connection),
    log,
  });
  context.endpoints.provider = await server.listen();
  context.lifecycle.onStop('provider endpoint', () => server.close());
}

function summarize(context: DaemonContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, address] of Object.entries(context.endpoints)) {
    if (address) out[name] = `${address.address}:${address.port}`;
  }
  return out;
}
