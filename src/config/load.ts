/**
 * Loads the configuration once: defaults < YAML file < SATELLITE_* env < command-line flags,
 * validates it with the one schema, resolves runtime paths and deep-freezes the result. A bad
 * config fails with one error listing every bad path and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SatelliteError } from '../util/errors.js';
import { REDACTED, redactUrlPasswords } from '../util/redact-url.js';
import { configJsonSchema, configSchema, type Config } from './schema.js';
import { describeIssues } from './issues.js';
import { coerceByPath, setPath } from './overrides.js';

export const ENV_PREFIX = 'SATELLITE_';
export const DEFAULT_CONFIG_PATHS = ['./satellite.yml', '/etc/speech-satellite/satellite.yml'];

export interface LoadOptions {
  /** Explicit file (`--config`); when given it must exist. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Flag overrides as dotted paths, already typed or as strings to coerce. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  /** The file read, if any. */
  source: string | null;
}

export class ConfigError extends SatelliteError {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: string[] = [],
    options?: { cause?: unknown },
  ) {
    super('SAT_ERR_CONFIG_INVALID', message, options);
  }
}

export function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = explicit ?? env[`${ENV_PREFIX}CONFIG`];
  if (chosen) {
    if (!existsSync(chosen)) throw new ConfigError(`config file not found: ${chosen}`, [chosen]);
    return chosen;
  }
  return DEFAULT_CONFIG_PATHS.find((p) => existsSync(p)) ?? null;
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}`, [file], { cause: err });
  }
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`, [file], { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file} must hold a mapping of options at the top level`, [file]);
  }
  return value as Record<string, unknown>;
}

/** SATELLITE_MQTT__URL=… → { mqtt: { url: … } }, typed by the schema. */
export function envOverrides(env: NodeJS.ProcessEnv, jsonSchema = configJsonSchema()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || raw === undefined || key === `${ENV_PREFIX}CONFIG`) continue;
    if (key.startsWith(`${ENV_PREFIX}TEST_`)) continue; // test-suite switches, not config
    const dotted = key.slice(ENV_PREFIX.length).toLowerCase().split('__').join('.');
    setPath(out, dotted, coerceByPath(jsonSchema, dotted, raw));
  }
  return out;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const source = findConfigFile(options.file, env);
  const fromFile = source ? readConfigFile(source) : {};
  return { config: parseConfig(fromFile, env, options.overrides ?? {}), source };
}

/** Validates merged input and resolves defaults that depend on the machine. */
export function parseConfig(
  fromFile: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  overrides: Record<string, unknown> = {},
): Readonly<Config> {
  const jsonSchema = configJsonSchema();
  let merged = deepMerge({}, fromFile);
  merged = deepMerge(merged, envOverrides(env, jsonSchema));
  const flags: Record<string, unknown> = {};
  for (const [dotted, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    setPath(flags, dotted, typeof value === 'string' ? coerceByPath(jsonSchema, dotted, value) : value);
  }
  merged = deepMerge(merged, flags);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issues = describeIssues(result.error.issues, jsonSchema);
    throw new ConfigError(`invalid configuration:\n  - ${issues.join('\n  - ')}`, issues, { cause: result.error });
  }
  return deepFreeze(resolvePaths(result.data, env));
}

function resolvePaths(config: Config, env: NodeJS.ProcessEnv): Config {
  const stateDir =
    config.state_dir ??
    (env['STATE_DIRECTORY']?.split(':')[0] ||
      path.join(env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state'), 'speech-satellite'));
  const modelsDir = config.models_dir ?? path.join(stateDir, 'models');
  return { ...config, state_dir: path.resolve(stateDir), models_dir: path.resolve(modelsDir) };
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    out[key] = isRecord(existing) && isRecord(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value as Record<string, unknown>)) deepFreeze(member);
  }
  return value;
}

/**
 * A copy of the config with secrets replaced, for `config print` and logs: secret-named options,
 * and the password of any URL with user info (`mqtt://user:[redacted]@host`), in values and keys.
 */
export function redactConfig(config: Readonly<Config>): Record<string, unknown> {
  return redact(JSON.parse(JSON.stringify(config))) as Record<string, unknown>;
}

const SECRET_KEYS = /^(password|api_key|token|secret|key_passphrase)$/i;

function redact(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (Array.isArray(value)) return value.map(redact);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    out[redactUrlPasswords(key)] = SECRET_KEYS.test(key) && member !== null && member !== '' ? REDACTED : redact(member);
  }
  return out;
}
