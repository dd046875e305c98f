/**
 * One HTTP(S) GET with what model downloads need: redirects followed (Authorization dropped when
 * the host changes), proxies from the environment, an idle timeout, and errors that say whether
 * a retry can help.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { ErrorCode } from '../util/error-codes.js';
import { SatelliteError } from '../util/errors.js';
import { openTunnel, proxyAuthHeader, proxyFor } from './proxy.js';

export const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Certificate problems: retrying cannot help, and they must never be ignored. */
const TLS_TRUST_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;
/** Connection-level failures that mean "cannot reach the publisher at all". */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Source of HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  env?: NodeJS.ProcessEnv;
  /** Idle time allowed on the socket before the attempt fails. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (a private mirror with its own CA). */
  ca?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
  /** URL after redirects. */
  url: string;
}

/** A failed request; `retryable` says whether another attempt may succeed. */
export class DownloadError extends SatelliteError {
  override readonly name = 'DownloadError';
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  let current = new URL(url);
  let headers: Record<string, string> = lowerCase(options.headers ?? {});
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await requestOnce(current, headers, options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(status) || !location) {
      return { status, headers: res.headers, body: res, url: current.href };
    }
    res.resume();
    const next = new URL(location, current);
    if (next.host !== current.host || next.protocol !== current.protocol) {
      // credentials meant for the publisher must not travel to its CDN or elsewhere
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    current = next;
  }
  throw new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `too many redirects (more than ${MAX_REDIRECTS}) starting at ${url}`, false);
}

async function requestOnce(target: URL, headers: Record<string, string>, options: HttpGetOptions): Promise<IncomingMessage> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `unsupported URL scheme in ${target.href}`, false);
  }
  const proxy = proxyFor(target, options.env ?? process.env);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const base: http.RequestOptions = {
    method: 'GET',
    headers: { 'user-agent': 'speech-satellite', ...headers } as OutgoingHttpHeaders,
    signal: options.signal,
  };
  let req: http.ClientRequest;
  if (proxy && secure) {
    const socket = await openTunnel(proxy, target.hostname, port, options.timeoutMs, options.signal).catch((err: unknown) => {
      throw new DownloadError('SAT_ERR_MODEL_PROXY', (err as Error).message, true, undefined, { cause: err });
    });
    req = https.request(target, {
      ...base,
      createConnection: () => tls.connect({ socket, servername: target.hostname, ca: options.ca }),
    });
  } else if (proxy) {
    req = http.request({
      ...base,
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      path: target.href,
      headers: { ...base.headers, host: target.host, ...proxyAuthHeader(proxy) },
    });
  } else {
    req = (secure ? https : http).request(target, secure ? { ...base, ca: options.ca } : base);
  }
  return new Promise((resolve, reject) => {
    req.setTimeout(options.timeoutMs, () =>
      req.destroy(new DownloadError('SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', `no data from ${target.host} for ${options.timeoutMs} ms`, true)),
    );
    req.once('response', resolve);
    req.once('error', (err) => reject(classifyNetworkError(err, target)));
    req.end();
  });
}

export function classifyNetworkError(err: unknown, target: URL): Error {
  if (err instanceof DownloadError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if ((err as Error).name === 'AbortError') return err as Error;
  if (TLS_TRUST_CODES.test(code)) {
    return new DownloadError('SAT_ERR_MODEL_TLS', `${target.host} presented a certificate that is not trusted: ${(err as Error).message}`, false, undefined, {
      cause: err,
    });
  }
  if (UNREACHABLE_CODES.has(code)) {
    return new DownloadError('SAT_ERR_MODEL_OFFLINE', `cannot reach ${target.host} (${code}): no network or the host is down`, true, undefined, {
      cause: err,
    });
  }
  return new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `download from ${target.host} failed: ${(err as Error).message}`, true, undefined, {
    cause: err,
  });
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
