/** `satellite speak`. */
import type { CommandModule } from 'yargs';

export const speakCommand: CommandModule = {
  command: 'speak',
  describe: 'speak (not built yet)',
  handler: () => {
    process.stderr.write('speak: not built yet\n');
    process.exitCode = 1;
  },
};
