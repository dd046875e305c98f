/** Global flags shared by every command, and turning them into config overrides. */
import type { Argv } from 'yargs';
import { loadConfig, type LoadedConfig } from '../config/load.js';
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
  return yargs
    .option('config', { alias: 'c', type: 'string', describe: 'YAML config file (default ./satellite.yml, then /etc/speech-satellite/satellite.yml)' })
    .option('log-level', { type: 'string', describe: 'fatal|error|warn|info|debug|trace|silent' })
    .option('debug', { type: 'boolean', describe: 'same as --log-level debug' })
    .option('name', { type: 'string', describe: 'name shown in Home Assistant' })
    .option('host', { type: 'string', describe: 'provider endpoint listen address' })
    .option('port', { type: 'number', describe: 'provider endpoint TCP port' })
    .option('models-dir', { type: 'string', describe: 'folder holding one folder per model' })
    .option('set', { type: 'string', array: true, describe: 'override any option: --set mqtt.url=mqtt://broker' }) as Argv<
    T & GlobalArgs
  >;
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
    if (eq <= 0) throw new Error(`--set expects path=value, got "${item}"`);
    overrides[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return overrides;
}

export function loadFromArgs(args: GlobalArgs): LoadedConfig {
  return loadConfig({ file: args.config, overrides: flagOverrides(args) });
}

export function loggerFor(loaded: LoadedConfig): Logger {
  return createLogger({ level: loaded.config.log.level, format: loaded.config.log.format });
}
