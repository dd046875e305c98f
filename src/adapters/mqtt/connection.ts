/**
 * mqtt.js client options from the config: credentials (the password from the config/env or a
 * file, never logged), TLS files, client id, keep-alive and the `offline` last will. MQTT 5, so
 * that retained commands can be told from live ones (retain-as-published; the bridge falls back
 * to 3.1.1 for a broker without it). Reconnects are driven by the bridge (with backoff), so
 * mqtt.js's own fixed-period retry is off.
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { ErrorCode } from '../../util/error-codes.js';
import { SatelliteError } from '../../util/errors.js';
import { redactUrlPasswords } from '../../util/redact-url.js';

export const CONNECT_TIMEOUT_MS = 10_000;

export interface MqttConnectionConfig {
  url: string;
  username: string | null;
  password: string | null;
  password_file: string | null;
  client_id: string | null;
  keepalive_s: number;
  tls: { ca_file: string | null; cert_file: string | null; key_file: string | null; reject_unauthorized: boolean };
}

/** The password: the config value (e.g. from SATELLITE_MQTT__PASSWORD) wins over password_file. */
export function resolvePassword(config: Pick<MqttConnectionConfig, 'password' | 'password_file'>): string | undefined {
  if (config.password !== null) return config.password;
  if (config.password_file === null) return undefined;
  try {
    return readFileSync(config.password_file, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (err) {
    throw new SatelliteError('SAT_ERR_MQTT_PASSWORD_FILE', `cannot read mqtt.password_file ${config.password_file}`, { cause: err });
  }
}

function readPem(file: string | null, option: string): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SatelliteError('SAT_ERR_MQTT_TLS_FILE', `cannot read mqtt.tls.${option} ${file}`, { cause: err });
  }
}

export function clientOptions(
  config: MqttConnectionConfig,
  defaults: { clientId: string; availabilityTopic: string },
): IClientOptions {
  const options: IClientOptions = {
    clientId: config.client_id ?? defaults.clientId,
    clean: true,
    keepalive: config.keepalive_s,
    connectTimeout: CONNECT_TIMEOUT_MS,
    reconnectPeriod: 0,
    protocolVersion: 5,
    will: { topic: defaults.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    rejectUnauthorized: config.tls.reject_unauthorized,
  };
  if (config.username !== null) options.username = config.username;
  const password = resolvePassword(config);
  if (password !== undefined) options.password = password;
  const ca = readPem(config.tls.ca_file, 'ca_file');
  const cert = readPem(config.tls.cert_file, 'cert_file');
  const key = readPem(config.tls.key_file, 'key_file');
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  return options;
}

/** The URL with its password hidden (`mqtt://user:[redacted]@host:1883`), safe to log. */
export function safeUrl(url: string): string {
  return redactUrlPasswords(url);
}

/** CONNACK refusals that mean "fix your credentials", for a clear error. */
const AUTH_CODES = new Set([4, 5, 134, 135]);

export function describeConnectionError(err: unknown): { code: ErrorCode; message: string } {
  const e = err as { code?: unknown; message?: string };
  if (typeof e.code === 'number' && AUTH_CODES.has(e.code)) {
    return { code: 'SAT_ERR_MQTT_AUTH', message: `the MQTT broker refused the credentials (${e.message ?? 'not authorized'}); check mqtt.username and the password` };
  }
  if (typeof e.code === 'number') return { code: 'SAT_ERR_MQTT_REFUSED', message: `the MQTT broker refused the connection: ${e.message}` };
  const text = e.message ?? String(err);
  return { code: 'SAT_ERR_MQTT_CONNECTION', message: `MQTT connection problem: ${text}` };
}
