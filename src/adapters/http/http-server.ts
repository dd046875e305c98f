/**
 * The HTTP endpoint of the OpenAI shim: one node:http server that checks the bearer key, answers
 * CORS for listed origins, routes to handlers, bounds each request in time, and turns every
 * failure into OpenAI's error envelope. Handlers only see an {@link Exchange}.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { errorCode } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { HttpError, sendError, toHttpError } from './http-errors.js';
import { discardBody } from './request-body.js';

/** How long a keep-alive connection may sit idle between requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Time allowed for the request headers to arrive. */
export const HEADERS_TIMEOUT_MS = 30_000;
/** Grace on top of the request timeout before node itself cuts a slow upload. */
const NODE_TIMEOUT_GRACE_MS = 5_000;
const CORS_MAX_AGE_S = 600;

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Aborted on timeout or when the client goes away. */
  signal: AbortSignal;
  log: Logger;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Exact path, or a prefix ending in `/` that matches one more path segment. */
  path: string;
  /** Label for metrics and stats. */
  name: string;
  /** False for liveness probes. */
  auth?: boolean;
  handle(exchange: Exchange): Promise<void>;
}

export interface RequestRecord {
  route: string;
  method: string;
  status: number;
  ms: number;
  code: string | undefined;
}

export interface HttpShimOptions {
  host: string;
  port: number;
  apiKey: string | null;
  corsOrigins: readonly string[];
  /** 0 = no timeout. */
  requestTimeoutMs: number;
  maxConnections: number;
  /** Largest body any route accepts: a bigger declared body is refused before `100 Continue`. */
  maxBodyBytes: number;
  retryAfterSeconds: number;
  routes: Route[];
  log: Logger;
  onRequest?: (record: RequestRecord) => void;
}

export class HttpShimServer {
  readonly #options: HttpShimOptions;
  readonly #server: http.Server;
  readonly #keyHash: Buffer | undefined;

  constructor(options: HttpShimOptions) {
    this.#options = options;
    this.#keyHash = options.apiKey ? sha256(options.apiKey) : undefined;
    this.#server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS });
    this.#server.requestTimeout = options.requestTimeoutMs > 0 ? options.requestTimeoutMs + NODE_TIMEOUT_GRACE_MS : 0;
    this.#server.maxConnections = options.maxConnections;
    this.#server.on('request', (req, res) => void this.#handle(req, res, false));
    this.#server.on('checkContinue', (req, res) => void this.#handle(req, res, true));
    this.#server.on('clientError', (err, socket) => {
      options.log.debug({ err }, 'malformed HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  listen(): Promise<AddressInfo> {
    const { host, port, log } = this.#options;
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', reject);
        const address = this.#server.address() as AddressInfo;
        log.info({ host: address.address, port: address.port }, 'listening');
        resolve(address);
      });
    });
  }

  /** Stops accepting and closes every connection (running requests are aborted). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.#match(req.method ?? 'GET', url.pathname);
    const controller = new AbortController();
    const log = this.#options.log.child({ method: req.method, path: url.pathname });
    let failure: HttpError | undefined;
    // A write after a timeout answer must not become an unhandled 'error' event.
    res.on('error', (err) => log.debug({ err }, 'response stream error'));
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client went away'));
      clearTimeout(timer);
      const record = { route: route instanceof HttpError ? 'unknown' : route.name, method: req.method ?? '', status: res.statusCode, ms: performance.now() - started, code: failure?.code };
      this.#options.onRequest?.(record);
    });
    const timer = this.#startTimer(req, res, controller, log);
    this.#cors(req, res);
    try {
      if (req.method === 'OPTIONS') return this.#preflight(req, res);
      if (route instanceof HttpError) throw route;
      if (route.auth !== false) this.#authorize(req);
      const declared = Number(req.headers['content-length']);
      if (expectsContinue && Number.isFinite(declared) && declared > this.#options.maxBodyBytes) {
        throw new HttpError(413, `request body is larger than the limit of ${this.#options.maxBodyBytes} bytes`, { code: 'file_too_large' });
      }
      if (expectsContinue) res.writeContinue();
      await route.handle({ req, res, url, signal: controller.signal, log });
    } catch (err) {
      failure = toHttpError(err, this.#options.retryAfterSeconds);
      if (controller.signal.aborted) log.debug({ code: errorCode(err) }, 'request abandoned (timeout or client gone)');
      else if (failure.status >= 500) log.error({ err, code: errorCode(err) }, 'request failed');
      else log.debug({ code: failure.code, status: failure.status, message: failure.message }, 'request refused');
      sendError(res, failure);
      discardBody(req);
    }
  }

  #match(method: string, pathname: string): Route | HttpError {
    const candidates = this.#options.routes.filter((r) =>
      r.path.endsWith('/') ? pathname.startsWith(r.path) && pathname.length > r.path.length && !pathname.slice(r.path.length).includes('/') : r.path === pathname,
    );
    const route = candidates.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
    if (route) return route;
    if (candidates.length > 0 && method !== 'OPTIONS') {
      const allow = [...new Set(candidates.map((r) => r.method))].join(', ');
      return new HttpError(405, `${method} is not allowed on ${pathname}`, { code: 'method_not_allowed', headers: { Allow: allow } });
    }
    return new HttpError(404, `no route for ${method} ${pathname}`, { code: 'not_found' });
  }

  #authorize(req: IncomingMessage): void {
    if (!this.#keyHash) return;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match && timingSafeEqual(sha256(match[1]!), this.#keyHash)) return;
    throw new HttpError(401, match ? 'incorrect API key provided' : 'missing API key: send Authorization: Bearer <key>', {
      code: 'invalid_api_key',
      type: 'invalid_request_error',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }

  #cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const allowed = this.#options.corsOrigins;
    if (!origin || allowed.length === 0) return;
    if (!allowed.includes('*') && !allowed.includes(origin)) return;
    res.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin);
    res.setHeader('Vary', 'Origin');
  }

  #preflight(req: IncomingMessage, res: ServerResponse): void {
    if (res.hasHeader('Access-Control-Allow-Origin')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_S));
    }
    res.writeHead(204).end();
  }

  #startTimer(req: IncomingMessage, res: ServerResponse, controller: AbortController, log: Logger): NodeJS.Timeout | undefined {
    const ms = this.#options.requestTimeoutMs;
    if (ms <= 0) return undefined;
    const timer = setTimeout(() => {
      const uploading = !req.complete;
      log.warn({ timeoutMs: ms, uploading }, 'request timed out');
      controller.abort(new Error('request timed out'));
      const error = uploading
        ? new HttpError(408, `the request body did not arrive within ${ms / 1000} s`, { code: 'request_timeout' })
        : new HttpError(504, `the request did not finish within ${ms / 1000} s`, { code: 'request_timeout' });
      sendError(res, error);
      if (uploading) req.socket.destroySoon();
    }, ms);
    timer.unref();
    return timer;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
