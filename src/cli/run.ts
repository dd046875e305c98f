/** `satellite run`: the daemon. */
import type { CommandModule } from 'yargs';
import { startDaemon } from '../wiring/daemon.js';
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
      log.fatal({ err }, 'start-up failed');
      await lifecycle.stop();
      process.exit(1);
    }
  },
};
