/** `satellite config check|print|schema`. */
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, redactConfig } from '../config/load.js';
import { configJsonSchema } from '../config/schema.js';
import { flagOverrides, globalOptions, type GlobalArgs } from './options.js';

type CheckArgs = GlobalArgs & { file?: string };

export const configCommand: CommandModule<object, GlobalArgs> = {
  command: 'config <action>',
  describe: 'check, print or describe the configuration',
  builder: (y) =>
    globalOptions(y)
      .command<CheckArgs>({
        command: 'check [file]',
        describe: 'validate a config file (exit 0 when valid, 2 when not)',
        handler: (args) => {
          try {
            const loaded = loadConfig({ file: args.file ?? args.config, overrides: flagOverrides(args) });
            process.stdout.write(`ok: ${loaded.source ?? 'built-in defaults'} is valid\n`);
          } catch (err) {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = err instanceof ConfigError ? 2 : 1;
          }
        },
      })
      .command<GlobalArgs & { json?: boolean }>({
        command: 'print',
        describe: 'print the effective configuration (secrets redacted)',
        builder: (b) => b.option('json', { type: 'boolean', describe: 'JSON instead of YAML' }) as never,
        handler: (args) => {
          const { config } = loadConfig({ file: args.config, overrides: flagOverrides(args) });
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
