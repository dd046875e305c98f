/** `satellite models`. */
import type { CommandModule } from 'yargs';

export const modelsCommand: CommandModule = {
  command: 'models',
  describe: 'models (not built yet)',
  handler: () => {
    process.stderr.write('models: not built yet\n');
    process.exitCode = 1;
  },
};
