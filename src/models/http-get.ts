/**
 * One HTTP(S) GET with what model downloads need: redirects followed (Authorization dropped when
 * the host changes), proxies from the environment, the configured timeout in every phase (name
 * lookup, connect, TLS, the wait for the answer, then as an idle limit on the body), and errors
 * that say whether a retry can help.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
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
  /**
   * The longest wait allowed in each phase: from the request to the answer's headers (name lookup,
   * connect, proxy tunnel, TLS, the server's answer), then between two pieces of the body.
   */
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
  // A connection of its own: Node's shared agents put their own 5 s timeout on every socket, which
  // would cut a slow name lookup or connect short of the configured limit (and under its name).
  const ownConnection: http.RequestOptions = { ...base, agent: false };
  let req: http.ClientRequest;
  if (proxy && secure) {
    const socket = await openTunnel(proxy, target.hostname, port, options.timeoutMs, options.signal).catch((err: unknown) => {
      if (err instanceof DownloadError || (err as Error).name === 'AbortError') throw err;
      throw new DownloadError('SAT_ERR_MODEL_PROXY', (err as Error).message, true, undefined, { cause: err });
    });
    // no agent here: the request's own createConnection is used only without one
    req = https.request(target, {
      ...base,
      createConnection: () => tls.connect({ socket, servername: target.hostname, ca: options.ca }),
    });
  } else if (proxy) {
    req = http.request({
      ...ownConnection,
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      path: target.href,
      headers: { ...base.headers, host: target.host, ...proxyAuthHeader(proxy) },
    });
  } else {
    req = (secure ? https : http).request(target, secure ? { ...ownConnection, ca: options.ca } : ownConnection);
  }
  const phase = trackPhase(req, secure, proxy !== null && secure, proxy?.hostname ?? target.hostname);
  const limit = formatLimit(options.timeoutMs);
  return new Promise((resolve, reject) => {
    // Until the answer's headers: name lookup, connect, TLS and the server's first byte share one limit.
    const deadline = setTimeout(
      () => req.destroy(new DownloadError('SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', `no answer from ${target.host} within ${limit} (${phase()}; models.timeout_s)`, true)),
      options.timeoutMs,
    );
    req.once('response', (res) => {
      clearTimeout(deadline);
      // Then the same limit between two pieces of the body.
      const socket = res.socket;
      socket.setTimeout(options.timeoutMs);
      socket.once('timeout', () => res.destroy(new DownloadError('SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', `no data from ${target.host} for ${limit} (models.timeout_s)`, true)));
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(deadline);
      reject(classifyNetworkError(err, target));
    });
    req.once('close', () => clearTimeout(deadline));
    req.end();
  });
}

/** What a request is waiting for now, for the timeout message. */
function trackPhase(req: http.ClientRequest, secure: boolean, tunnelled: boolean, host: string): () => string {
  let phase = tunnelled ? 'TLS handshake' : 'connecting';
  req.once('socket', (socket: Socket) => {
    if (socket.connecting) {
      phase = isIP(host.replace(/^\[|\]$/g, '')) ? 'connecting' : 'resolving the name';
      socket.once('lookup', () => (phase = 'connecting'));
      socket.once('connect', () => (phase = secure ? 'TLS handshake' : 'waiting for the answer'));
    } else if (!secure) {
      phase = 'waiting for the answer';
    }
    if (secure) socket.once('secureConnect', () => (phase = 'waiting for the answer'));
  });
  return () => phase;
}

/** 300 → "300 ms", 30000 → "30 s". */
export function formatLimit(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(3))} s`;
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
