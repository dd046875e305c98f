/** `satellite run`: the daemon. */
import type { CommandModule } from 'yargs';
import { startDaemon } from '../wiring/daemon.js';
import { SatelliteError } from '../util/errors.js';
import { Lifecycle } from '../util/lifecycle.js';
import { globalOptions, loadFromArgs, loggerFor, type GlobalArgs } from './options.js';

export const runCommand: CommandModule<object, GlobalArgs> = {
  command: 'run',
  describe: 'run the daemon (Wyoming endpoints, satellite, MQTT, mDNS, HTTP shim as configured)',
  builder: (y) => globalOptions(y),
  handler: async (args) => {
    const loaded = loadFromArgs(args);
    const log = loggerFor(loaded);
    if (loaded.source) log.info({ file: loaded.source }, 'config loaded');
    else log.info('no config file found; using built-in defaults');
    const lifecycle = new Lifecycle(log);
    lifecycle.installSignalHandlers();
    try {
      await startDaemon(loaded.config, log, lifecycle);
    } catch (err) {
      const inUse = portInUse(err);
      if (inUse) log.fatal({ code: inUse.code, host: inUse.host, port: inUse.port }, `start-up failed: ${inUse.message} [${inUse.code}]`);
      else log.fatal({ err }, 'start-up failed');
      await lifecycle.stop();
      process.exit(1);
    }
  },
};

/** A listen() that found its port taken, as a coded error naming the address (no stack to read). */
export function portInUse(err: unknown): (SatelliteError & { host: string | undefined; port: number | undefined }) | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const where = e.port !== undefined ? `port ${e.port}${e.address ? ` on ${e.address}` : ''}` : 'a port';
  return Object.assign(
    new SatelliteError('SAT_ERR_PORT_IN_USE', `${where} is already in use: is another instance running? Stop it, or give this one another port (--port, or the endpoint's port in the config)`, { cause: err }),
    { host: e.address, port: e.port },
  );
}
