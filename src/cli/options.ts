/** Global flags shared by every command, and turning them into config overrides. */
import type { Argv } from 'yargs';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { redactUrlPasswords } from '../util/redact-url.js';
import { createLogger, type Logger } from '../util/logger.js';

export interface GlobalArgs {
  config?: string | undefined;
  'log-level'?: string | undefined;
  debug?: boolean | undefined;
  name?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  'models-dir'?: string | undefined;
  set?: string[] | undefined;
}

export function globalOptions<T>(yargs: Argv<T>): Argv<T & GlobalArgs> {
  return daemonOptions(sharedOptions(yargs));
}

// ---- Shared flags vs the daemon's own (issue 14 item 8): commands that do not start the daemon
// (models, transcribe, speak, devices) take sharedOptions only, so their help does not list
// --name/--host/--port; globalOptions is both, as before.

/** Flags every command takes: where the config and models are, logging, overrides. */
export function sharedOptions<T>(yargs: Argv<T>): Argv<T & GlobalArgs> {
  return yargs
    .option('config', { alias: 'c', type: 'string', describe: 'YAML config file (default ./satellite.yml, then /etc/speech-satellite/satellite.yml)' })
    .option('log-level', { type: 'string', describe: 'fatal|error|warn|info|debug|trace|silent' })
    .option('debug', { type: 'boolean', describe: 'same as --log-level debug' })
    .option('models-dir', { type: 'string', describe: 'folder holding one folder per model' })
    .option('set', { type: 'string', array: true, describe: 'override any option: --set mqtt.url=mqtt://broker' }) as Argv<T & GlobalArgs>;
}

/** Flags that only mean something to the daemon (and to `config`, which shows their effect). */
export function daemonOptions<T>(yargs: Argv<T>): Argv<T & GlobalArgs> {
  return yargs
    .option('name', { type: 'string', describe: 'name shown in Home Assistant' })
    .option('host', { type: 'string', describe: 'provider endpoint listen address' })
    .option('port', { type: 'number', describe: 'provider endpoint TCP port' }) as Argv<T & GlobalArgs>;
}

/** Flags > env > file > defaults: the flags become dotted-path overrides. */
export function flagOverrides(args: GlobalArgs): Record<string, unknown> {
  const overrides: Record<string, unknown> = {
    name: args.name,
    'provider.host': args.host,
    'provider.port': args.port,
    models_dir: args['models-dir'],
    'log.level': args.debug ? 'debug' : args['log-level'],
  };
  for (const item of args.set ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects path=value, got "${item}"`, [item]);
    overrides[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return overrides;
}

/** Exit status of a usage or configuration error (bad flags, unknown options, invalid values). */
export const EXIT_USAGE = 2;

/**
 * Loads the config for a command (`file` defaults to --config). Every command loads it here, so a
 * bad config ends every command the same way: one message listing every bad path, exit 2, no stack.
 */
export function loadFromArgs(args: GlobalArgs, file: string | undefined = args.config): LoadedConfig {
  try {
    return loadConfig({ file, overrides: flagOverrides(args) });
  } catch (err) {
    if (err instanceof ConfigError) exitOnConfigError(err);
    throw err;
  }
}

export function exitOnConfigError(err: ConfigError): never {
  process.stderr.write(`error: ${redactUrlPasswords(err.message)}\n`);
  process.exit(EXIT_USAGE);
}

export function loggerFor(loaded: LoadedConfig): Logger {
  return createLogger({ level: loaded.config.log.level, format: loaded.config.log.format });
}
