/**
 * The HTTP endpoint of the OpenAI shim: one node:http server that checks the bearer key, answers
 * CORS for listed origins, routes to handlers, bounds each request in time, and turns every
 * failure into OpenAI's error envelope. Handlers only see an {@link Exchange}.
 *
 * Closing is bounded: the server stops accepting, running requests get {@link SHUTDOWN_DRAIN_MS}
 * to finish, then the ones left are cancelled and answered 503 `shutting_down` (a response that
 * has started is ended), and after {@link SHUTDOWN_FLUSH_MS} every connection is cut. Requests
 * arriving meanwhile get the same 503 with `Connection: close`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorCode } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { ApiKey } from './api-key.js';
import { HttpError, requestError, sendError, SHUTTING_DOWN, shuttingDown } from './http-errors.js';
import { discardBody } from './request-body.js';
import { endResponse } from './respond.js';

/** How long a keep-alive connection may sit idle between requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Time allowed for the request headers to arrive. */
export const HEADERS_TIMEOUT_MS = 30_000;
/** Grace on top of the request timeout before node itself cuts a slow upload. */
const NODE_TIMEOUT_GRACE_MS = 5_000;
const CORS_MAX_AGE_S = 600;
/** On close: time running requests get to finish before they are answered 503 and cancelled (well inside SHUTDOWN_TIMEOUT_MS). */
export const SHUTDOWN_DRAIN_MS = 3_000;
/** After cancelling: time for the 503s and stream endings to reach the clients before connections are cut. */
export const SHUTDOWN_FLUSH_MS = 1_000;
/** Status recorded when the connection closed before any status line was sent (nginx's "client closed request"). */
export const NO_RESPONSE_STATUS = 499;

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
  /** Exact path (`/` included), or a prefix ending in `/` that matches one more path segment. */
  path: string;
  /** Label for metrics and stats. */
  name: string;
  /** False for liveness probes. */
  auth?: boolean;
  /** A long-lived stream (the web view's events): no request timeout; it ends itself when its signal aborts. */
  live?: boolean;
  handle(exchange: Exchange): Promise<void>;
}

export interface RequestRecord {
  route: string;
  method: string;
  /** The status sent, or {@link NO_RESPONSE_STATUS} when none was. */
  status: number;
  ms: number;
  code: string | undefined;
  /** False when the connection closed before the whole response was sent. */
  completed: boolean;
}

/** A request being served, as shutdown sees it. */
interface Running {
  res: ServerResponse;
  /** Cancels the request and answers `error` if nothing has been sent yet. */
  interrupt(error: HttpError): void;
}

/** Takes over `Upgrade:` requests (the Realtime WebSocket); the server closes it before its own connections at shutdown. */
export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
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
  /** The 413 for such a body, naming the configured limit behind `maxBodyBytes`. */
  bodyTooLarge?: () => HttpError;
  retryAfterSeconds: number;
  routes: Route[];
  log: Logger;
  onRequest?: (record: RequestRecord) => void;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  upgrade?: UpgradeHandler | undefined;
}

export class HttpShimServer {
  readonly #options: HttpShimOptions;
  readonly #server: http.Server;
  readonly #apiKey: ApiKey | undefined;
  readonly #running = new Set<Running>();
  /** Called whenever a running request ends (shutdown waits on it). */
  #onSettle: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: HttpShimOptions) {
    this.#options = options;
    this.#apiKey = options.apiKey ? new ApiKey(options.apiKey) : undefined;
    const serverOptions = { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS };
    this.#server = options.tls ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }) : http.createServer(serverOptions);
    this.#server.requestTimeout = options.requestTimeoutMs > 0 ? options.requestTimeoutMs + NODE_TIMEOUT_GRACE_MS : 0;
    this.#server.maxConnections = options.maxConnections;
    this.#server.on('request', (req, res) => void this.#handle(req, res, false));
    this.#server.on('checkContinue', (req, res) => void this.#handle(req, res, true));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (options.upgrade && !this.#closing) options.upgrade.handle(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.#server.on('clientError', (err: Error, socket: Duplex) => {
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

  /** Stops accepting, lets running requests finish within `drainMs`, answers the rest 503, then closes every connection. */
  close(drainMs = SHUTDOWN_DRAIN_MS): Promise<void> {
    this.#closing ??= this.#shutdown(drainMs);
    return this.#closing;
  }

  async #shutdown(drainMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await this.#options.upgrade?.close();
    if (!(await this.#settled(drainMs))) {
      this.#options.log.warn({ requests: this.#running.size, drainMs }, 'requests still running at shutdown: answering 503 and cancelling them');
      const error = shuttingDown();
      for (const running of this.#running) running.interrupt(error);
      // Routes end their own streams (an SSE error event); whatever is still open after the flush is ended here.
      if (!(await this.#settled(SHUTDOWN_FLUSH_MS))) for (const { res } of this.#running) endResponse(res);
    }
    this.#server.closeAllConnections();
    await closed;
  }

  /** True once no request is running, false if `ms` passes first. */
  #settled(ms: number): Promise<boolean> {
    if (this.#running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#onSettle = undefined;
        resolve(false);
      }, ms);
      this.#onSettle = () => {
        if (this.#running.size > 0) return;
        clearTimeout(timer);
        this.#onSettle = undefined;
        resolve(true);
      };
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.#match(req.method ?? 'GET', url.pathname);
    const controller = new AbortController();
    const log = this.#options.log.child({ method: req.method, path: url.pathname });
    /** The first error this request was answered or cut short with. */
    let failure: HttpError | undefined;
    const running: Running = {
      res,
      interrupt: (error) => {
        failure ??= error;
        controller.abort(error);
        // A started response is left to its route to end at shutdown; a timeout cuts it.
        if (!res.headersSent || error.code !== SHUTTING_DOWN) sendError(res, error);
      },
    };
    this.#running.add(running);
    // A write after a timeout answer must not become an unhandled 'error' event.
    res.on('error', (err) => log.debug({ err }, 'response stream error'));
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client went away'));
      clearTimeout(timer);
      this.#running.delete(running);
      const sent = res.headersSent;
      this.#options.onRequest?.({
        route: route instanceof HttpError ? 'unknown' : route.name,
        method: req.method ?? '',
        status: sent ? res.statusCode : NO_RESPONSE_STATUS,
        ms: performance.now() - started,
        code: failure?.code ?? (sent ? undefined : 'connection_closed'),
        completed: res.writableFinished,
      });
      this.#onSettle?.();
    });
    const timer = route instanceof HttpError || !route.live ? this.#startTimer(req, res, running, log) : undefined;
    this.#cors(req, res);
    try {
      if (this.#closing) throw shuttingDown();
      if (req.method === 'OPTIONS') return this.#preflight(req, res);
      if (route instanceof HttpError) throw route;
      if (route.auth !== false) this.#authorize(req);
      const declared = Number(req.headers['content-length']);
      if (expectsContinue && Number.isFinite(declared) && declared > this.#options.maxBodyBytes) {
        throw this.#options.bodyTooLarge?.() ?? new HttpError(413, `request body is larger than the limit of ${this.#options.maxBodyBytes} bytes`, { code: 'file_too_large' });
      }
      if (expectsContinue) res.writeContinue();
      await route.handle({ req, res, url, signal: controller.signal, log });
    } catch (err) {
      const error = requestError(err, controller.signal, this.#options.retryAfterSeconds);
      failure ??= error;
      if (controller.signal.aborted) log.debug({ code: errorCode(err) }, 'request abandoned (timeout, shutdown or client gone)');
      else if (error.status >= 500 && error.code !== SHUTTING_DOWN) log.error({ err, code: errorCode(err) }, 'request failed');
      else log.debug({ code: error.code, status: error.status, message: error.message }, 'request refused');
      // A response already under way at shutdown is ended cleanly; any other failure mid-response cuts it.
      if (res.headersSent && error.code === SHUTTING_DOWN) endResponse(res);
      else sendError(res, error);
      discardBody(req);
    }
  }

  #match(method: string, pathname: string): Route | HttpError {
    const candidates = this.#options.routes.filter((r) =>
      r.path.endsWith('/') && r.path !== '/' ? pathname.startsWith(r.path) && pathname.length > r.path.length && !pathname.slice(r.path.length).includes('/') : r.path === pathname,
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
    if (!this.#apiKey) return;
    const key = ApiKey.fromBearer(req.headers.authorization);
    if (key !== undefined && this.#apiKey.matches(key)) return;
    throw new HttpError(401, key !== undefined ? 'incorrect API key provided' : 'missing API key: send Authorization: Bearer <key>', {
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

  #startTimer(req: IncomingMessage, res: ServerResponse, running: Running, log: Logger): NodeJS.Timeout | undefined {
    const ms = this.#options.requestTimeoutMs;
    if (ms <= 0) return undefined;
    const timer = setTimeout(() => {
      const uploading = !req.complete;
      log.warn({ timeoutMs: ms, uploading }, 'request timed out');
      running.interrupt(
        uploading
          ? new HttpError(408, `the request body did not arrive within ${ms / 1000} s`, { code: 'request_timeout' })
          : new HttpError(504, `the request did not finish within ${ms / 1000} s`, { code: 'request_timeout' }),
      );
      if (uploading) req.socket.destroySoon();
    }, ms);
    timer.unref();
    return timer;
  }
}
