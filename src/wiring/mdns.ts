/** Starts the mDNS announcement of the Wyoming endpoints (provider and satellite). */
import type { DaemonContext } from './daemon-context.js';
import { defaultHostLabel, displayName, instanceName, machineShortId } from '../adapters/mdns/mdns-identity.js';
import { MdnsResponder } from '../adapters/mdns/mdns-responder.js';
import type { AnnouncedService } from '../adapters/mdns/mdns-records.js';
import { moduleLogger } from '../util/logger.js';

export async function startMdns(context: DaemonContext): Promise<void> {
  const { config } = context;
  const log = moduleLogger('mdns', context.log);
  if (!config.mdns.enabled) {
    log.debug('mDNS disabled');
    return;
  }
  const shortId = machineShortId();
  const name = displayName(config.name, { shortId: () => shortId });
  const services: AnnouncedService[] = [];
  for (const endpoint of ['provider', 'satellite'] as const) {
    const address = context.endpoints[endpoint];
    if (address && isLoopback(address.address)) {
      log.info({ endpoint, address: address.address }, 'endpoint listens on loopback only; not announced');
      continue;
    }
    if (address) services.push({ instance: instanceName(name, shortId, endpoint), port: address.port });
  }
  if (services.length === 0) {
    log.info('no Wyoming endpoint to announce');
    return;
  }
  const host = `${config.mdns.host_name ?? defaultHostLabel(undefined, shortId)}.local`;
  const responder = new MdnsResponder({
    services,
    host,
    filter: { interfaces: config.mdns.interfaces, ipv6: config.mdns.ipv6 },
    addressCheckMs: config.mdns.address_check_s * 1000,
    log,
  });
  try {
    responder.start();
  } catch (err) {
    // Discovery is a convenience: the endpoints keep serving without it.
    log.error({ err }, 'mDNS announcement failed to start; add the endpoints in Home Assistant by host and port');
    return;
  }
  context.lifecycle.onStop('mdns', () => responder.stop());
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost';
}
