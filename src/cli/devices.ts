/** `satellite devices`. */
import type { CommandModule } from 'yargs';

export const devicesCommand: CommandModule = {
  command: 'devices',
  describe: 'devices (not built yet)',
  handler: () => {
    process.stderr.write('devices: not built yet\n');
    process.exitCode = 1;
  },
};
