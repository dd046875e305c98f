/**
 * The shim's optional TLS: a configured certificate and key, or a self-signed pair generated once
 * with the `openssl` CLI into `<state_dir>/tls` and reused after. Browsers give a page the
 * microphone only in a secure context, and the official SDKs' Realtime clients always dial wss://.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SatelliteError, errorMessage } from '../../util/errors.js';

const run = promisify(execFile);

/** Validity of a generated certificate (it is regenerated only when its files are removed). */
const SELF_SIGNED_DAYS = 3650;
const OPENSSL_TIMEOUT_MS = 30_000;

export interface TlsSettings {
  cert_file: string | null;
  key_file: string | null;
  self_signed: boolean;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Where the certificate came from (logged; clients of a self-signed one must trust this file). */
  certFile: string;
}

/** The certificate to serve, or undefined for plain HTTP. */
export async function loadTls(settings: TlsSettings, stateDir: string | null, hostNames: readonly string[]): Promise<TlsMaterial | undefined> {
  if (settings.cert_file || settings.key_file) {
    if (!settings.cert_file || !settings.key_file) {
      throw new SatelliteError('SAT_ERR_HTTP_TLS', 'http.tls needs both cert_file and key_file');
    }
    return readPair(settings.cert_file, settings.key_file);
  }
  if (!settings.self_signed) return undefined;
  if (!stateDir) throw new SatelliteError('SAT_ERR_HTTP_TLS', 'http.tls.self_signed needs a state_dir to keep the certificate in');
  const dir = path.join(stateDir, 'tls');
  const certFile = path.join(dir, 'shim-cert.pem');
  const keyFile = path.join(dir, 'shim-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) await generateSelfSigned(dir, certFile, keyFile, hostNames);
  return readPair(certFile, keyFile);
}

async function readPair(certFile: string, keyFile: string): Promise<TlsMaterial> {
  try {
    return { cert: await readFile(certFile), key: await readFile(keyFile), certFile };
  } catch (err) {
    throw new SatelliteError('SAT_ERR_HTTP_TLS', `cannot read the TLS certificate or key: ${errorMessage(err)}`, { cause: err });
  }
}

/** A self-signed certificate for localhost, the loopback addresses and `hostNames`; written atomically. */
export async function generateSelfSigned(dir: string, certFile: string, keyFile: string, hostNames: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = new Set(['localhost', '127.0.0.1', '::1', ...hostNames.filter((h) => h && h !== '0.0.0.0' && h !== '::')]);
  const san = [...names].map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const tmpCert = `${certFile}.tmp`;
  const tmpKey = `${keyFile}.tmp`;
  try {
    await run(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(SELF_SIGNED_DAYS), '-subj', '/CN=speech-satellite', '-addext', `subjectAltName=${san}`, '-keyout', tmpKey, '-out', tmpCert],
      { timeout: OPENSSL_TIMEOUT_MS },
    );
    await rename(tmpKey, keyFile);
    await rename(tmpCert, certFile);
  } catch (err) {
    await Promise.all([rm(tmpCert, { force: true }), rm(tmpKey, { force: true })]);
    throw new SatelliteError('SAT_ERR_HTTP_TLS', `cannot generate a self-signed certificate with openssl: ${errorMessage(err)}`, { cause: err });
  }
}
