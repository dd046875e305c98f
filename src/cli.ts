#!/usr/bin/env node
/** The `satellite` command line: run the daemon, manage config and models, one-shot speech tools. */
// First: refuses a Node.js older than 20 with one line, before any other module is evaluated.
import './util/node-guard.js';
import { createRequire } from 'node:module';
import { hideBin } from 'yargs/helpers';
import { configCommand } from './cli/config.js';
import { devicesCommand } from './cli/devices.js';
import { modelsCommand } from './cli/models.js';
import { EXIT_USAGE, exitOnConfigError } from './cli/options.js';
import { runCommand } from './cli/run.js';
import { serviceCommand } from './cli/service.js';
import { speakCommand } from './cli/speak.js';
import { transcribeCommand } from './cli/transcribe.js';
import { ConfigError } from './config/load.js';
import { VERSION } from './version.js';

// yargs' CommonJS build wraps help text between words; its ESM build cuts words in half (issue 14 item 8).
const yargs = createRequire(import.meta.url)('yargs') as (typeof import('yargs'))['default'];

const cli = yargs(hideBin(process.argv))
  .scriptName('satellite')
  .usage('$0 <command> [options]   (`$0 run` starts the daemon)')
  .version(VERSION)
  .command(runCommand)
  .command(configCommand)
  .command(modelsCommand)
  .command(devicesCommand)
  .command(transcribeCommand)
  .command(speakCommand)
  .command(serviceCommand)
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
