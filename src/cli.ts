#!/usr/bin/env node
/** The `satellite` command line: run the daemon, manage config and models, one-shot speech tools. */
// First: refuses a Node.js older than 20 with one line, before any other module is evaluated.
import './util/node-guard.js';
import { createRequire } from 'node:module';
import type { CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_USAGE, exitOnConfigError } from './cli/options.js';
import { runCommand } from './cli/run.js';
import { ConfigError } from './config/load.js';
import { VERSION } from './version.js';

// yargs' CommonJS build wraps help text between words; its ESM build cuts words in half (issue 14 item 8).
const yargs = createRequire(import.meta.url)('yargs') as (typeof import('yargs'))['default'];

/**
 * The other commands' modules (model installer, audio devices, one-shot speech) are not loaded
 * for `run`: the daemon starts faster without them.
 */
async function otherCommands(): Promise<Array<CommandModule<object, never>>> {
  const [config, models, devices, transcribe, speak, service] = await Promise.all([
    import('./cli/config.js'),
    import('./cli/models.js'),
    import('./cli/devices.js'),
    import('./cli/transcribe.js'),
    import('./cli/speak.js'),
    import('./cli/service.js'),
  ]);
  return [
    config.configCommand,
    models.modelsCommand,
    devices.devicesCommand,
    transcribe.transcribeCommand,
    speak.speakCommand,
    service.serviceCommand,
  ] as Array<CommandModule<object, never>>;
}

const args = hideBin(process.argv);
const commands = args[0] === 'run' ? [] : await otherCommands();

const cli = yargs(args)
  .scriptName('satellite')
  .usage('$0 <command> [options]   (`$0 run` starts the daemon)')
  .version(VERSION)
  .command(runCommand)
  .command(commands)
  .demandCommand(1, 'give a command (`satellite run` starts the daemon)')
  .strict()
  .fail((message, err, y) => {
    if (err instanceof ConfigError) exitOnConfigError(err);
    if (err) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`${y.help().toString()}\n\n${message}\n`);
    process.exit(EXIT_USAGE);
  })
  .help();

try {
  await cli.parseAsync();
} catch (err) {
  // A config error thrown inside a subcommand does not pass through .fail.
  if (err instanceof ConfigError) exitOnConfigError(err);
  throw err;
}
