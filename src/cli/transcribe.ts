/** `satellite transcribe`. */
import type { CommandModule } from 'yargs';

export const transcribeCommand: CommandModule = {
  command: 'transcribe',
  describe: 'transcribe (not built yet)',
  handler: () => {
    process.stderr.write('transcribe: not built yet\n');
    process.exitCode = 1;
  },
};
