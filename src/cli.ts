#!/usr/bin/env node
/** The `satellite` command line: run the daemon, manage config and models, one-shot speech tools. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { configCommand } from './cli/config.js';
import { devicesCommand } from './cli/devices.js';
import { modelsCommand } from './cli/models.js';
import { runCommand } from './cli/run.js';
import { speakCommand } from './cli/speak.js';
import { transcribeCommand } from './cli/transcribe.js';
import { VERSION } from './version.js';

await yargs(hideBin(process.argv))
  .scriptName('satellite')
  .version(VERSION)
  .command(runCommand)
  .command(configCommand)
  .command(modelsCommand)
  .command(devicesCommand)
  .command(transcribeCommand)
  .command(speakCommand)
  .strict()
  .fail((message, err, y) => {
    if (err) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${y.help().toString()}\n\n${message}\n`);
    process.exit(2);
  })
  .help()
  .parseAsync();
