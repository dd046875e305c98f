/**
 * Proxy support for model downloads: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), the
 * variables curl and most package tools honour. HTTPS goes through a CONNECT tunnel; plain HTTP
 * is sent to the proxy in absolute form. Loopback targets never use a proxy.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { SatelliteError } from '../util/errors.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() ? value.trim() : undefined;
}

/** True when NO_PROXY (comma or space separated hosts, `.suffix`, `*`) covers the host. */
export function bypassesProxy(target: URL, env: NodeJS.ProcessEnv): boolean {
  const host = target.hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(host) || host.startsWith('127.')) return true;
  const list = envValue(env, 'NO_PROXY');
  if (!list) return false;
  for (const raw of list.split(/[\s,]+/)) {
    const rule = raw.trim().toLowerCase().replace(/:\d+$/, '');
    if (!rule) continue;
    if (rule === '*') return true;
    const bare = rule.startsWith('.') ? rule.slice(1) : rule.startsWith('*.') ? rule.slice(2) : rule;
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy to use for `target`, or null for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | null {
  if (bypassesProxy(target, env)) return null;
  const value = target.protocol === 'https:' ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  const chosen = value ?? envValue(env, 'ALL_PROXY');
  if (!chosen) return null;
  try {
    return new URL(chosen.includes('://') ? chosen : `http://${chosen}`);
  } catch (err) {
    throw new SatelliteError('SAT_ERR_MODEL_PROXY', `invalid proxy URL "${chosen}"`, { cause: err });
  }
}

export function proxyAuthHeader(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** Opens a CONNECT tunnel through `proxy` to host:port and returns the raw socket. */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const req = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthHeader(proxy) },
      signal,
      // a connection of its own: the shared agent's 5 s socket timeout would override timeoutMs
      agent: false,
    });
    // One limit from the request to the proxy's answer: name lookup, connect and the CONNECT reply.
    const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Number((timeoutMs / 1000).toFixed(3))} s`;
    const deadline = setTimeout(() => req.destroy(new Error(`proxy ${proxy.host} did not answer within ${limit} (models.timeout_s)`)), timeoutMs);
    req.once('close', () => clearTimeout(deadline));
    req.once('connect', (res, socket) => {
      clearTimeout(deadline);
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(new SatelliteError('SAT_ERR_MODEL_PROXY', `proxy ${proxy.host} refused CONNECT ${authority}: HTTP ${res.statusCode}`));
    });
    req.once('error', (err) => {
      clearTimeout(deadline);
      reject(err.name === 'AbortError' ? err : new SatelliteError('SAT_ERR_MODEL_PROXY', `cannot reach proxy ${proxy.host}: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}
