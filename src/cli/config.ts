/** `satellite config check|print|schema`. */
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { redactConfig } from '../config/load.js';
import { configJsonSchema } from '../config/schema.js';
import { globalOptions, loadFromArgs, type GlobalArgs } from './options.js';

type CheckArgs = GlobalArgs & { file?: string };

export const configCommand: CommandModule<object, GlobalArgs> = {
  command: 'config <action>',
  describe: 'check, print or describe the configuration',
  builder: (y) =>
    globalOptions(y)
      .command<CheckArgs>({
        command: 'check [file]',
        describe: 'validate a config file (exit 0 when valid, 2 when not: unknown options are errors)',
        handler: (args) => {
          const loaded = loadFromArgs(args, args.file ?? args.config);
          process.stdout.write(`ok: ${loaded.source ?? 'built-in defaults'} is valid\n`);
        },
      })
      .command<GlobalArgs & { json?: boolean }>({
        command: 'print',
        describe: 'print the effective configuration (secrets and URL passwords redacted)',
        builder: (b) => b.option('json', { type: 'boolean', describe: 'JSON instead of YAML' }) as never,
        handler: (args) => {
          const { config } = loadFromArgs(args);
          const shown = redactConfig(config);
          process.stdout.write(args.json ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown));
        },
      })
      .command({
        command: 'schema',
        describe: 'print the JSON Schema of the config file',
        handler: () => {
          process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        },
      })
      .demandCommand(1),
  handler: () => undefined,
};
