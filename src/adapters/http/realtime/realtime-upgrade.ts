/**
 * `GET /v1/realtime`: the shim's HTTP(S) server hands `Upgrade: websocket` requests here. The
 * request is checked before the handshake — path, API key (Authorization: Bearer, or the browser
 * form: the `openai-insecure-api-key.<key>` subprotocol), Origin against the CORS allowlist, the
 * session limit — and refused with an HTTP status and OpenAI's error envelope; accepted ones become
 * a {@link RealtimeConnection}.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../util/logger.js';
import type { SpeechActivity } from '../speech-activity.js';
import { ApiKey } from '../api-key.js';
import type { UpgradeHandler } from '../http-server.js';
import { RealtimeConnection } from './realtime-connection.js';

export const REALTIME_PATH = '/v1/realtime';
const KEY_PROTOCOL_PREFIX = 'openai-insecure-api-key.';
/** Subprotocols a client may ask for, in the order one is picked (the key protocol is never echoed). */
const PROTOCOLS = ['realtime', 'openai-beta.realtime-v1'];
/** Hard cap on one frame: past it `ws` closes with 1009; between the configured limit and this, the event gets an error. */
const FRAME_CAP_FACTOR = 2;
const CLOSE_TIMEOUT_MS = 1_000;

export interface RealtimeHubOptions {
  speech: SpeechService;
  config: Readonly<Pick<Config, 'http' | 'vad'>>;
  /** Where transcripts and spoken text are reported (the live view's captions). */
  activity: SpeechActivity;
  log: Logger;
}

export class RealtimeHub implements UpgradeHandler {
  readonly #o: RealtimeHubOptions;
  readonly #wss: WebSocketServer;
  readonly #apiKey: ApiKey | undefined;
  readonly #sessions = new Set<RealtimeConnection>();
  #closing = false;

  constructor(options: RealtimeHubOptions) {
    this.#o = options;
    const { http } = options.config;
    this.#apiKey = http.api_key ? new ApiKey(http.api_key) : undefined;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: http.realtime.max_message_bytes * FRAME_CAP_FACTOR,
      perMessageDeflate: false,
      handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.#o.log.debug({ err }, 'realtime upgrade socket error'));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refusal = this.#check(req, url);
    if (refusal) {
      this.#o.log.debug({ status: refusal.status, code: refusal.code }, 'realtime upgrade refused');
      return refuse(socket, refusal);
    }
    const type = url.searchParams.get('intent') === 'transcription' ? 'transcription' : 'realtime';
    const model = (url.searchParams.get('model') ?? 'gpt-realtime').slice(0, 200);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.#closing) return ws.close(1001, 'server shutting down');
      const log = this.#o.log.child({ realtime: true });
      const session = new RealtimeConnection({
        ws,
        speech: this.#o.speech,
        config: this.#o.config,
        activity: this.#o.activity,
        type,
        model,
        log,
        onClose: () => {
          this.#sessions.delete(session);
          log.info({ session: session.id, open: this.#sessions.size }, 'realtime session closed');
        },
      });
      this.#sessions.add(session);
      log.info({ session: session.id, type, open: this.#sessions.size }, 'realtime session opened');
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    const sockets = [...this.#wss.clients];
    for (const session of [...this.#sessions]) session.close();
    // Give the close frames a moment, then cut whatever is left.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      timer.unref();
      if (sockets.every((s) => s.readyState === s.CLOSED)) resolve();
      let open = sockets.length;
      for (const s of sockets) s.once('close', () => --open === 0 && resolve());
    });
    for (const s of this.#wss.clients) s.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #check(req: IncomingMessage, url: URL): Refusal | undefined {
    const { http } = this.#o.config;
    if (url.pathname !== REALTIME_PATH && url.pathname !== `${REALTIME_PATH}/`) return { status: 404, code: 'not_found', message: `no WebSocket endpoint at ${url.pathname}` };
    if (this.#closing) return { status: 503, code: 'shutting_down', message: 'the server is shutting down' };
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return { status: 400, code: 'invalid_request', message: 'only WebSocket upgrades are served' };
    if (!http.realtime.enabled) return { status: 404, code: 'not_found', message: 'Realtime is turned off (http.realtime.enabled)' };
    const origin = req.headers.origin;
    if (origin && !originAllowed(origin, req.headers.host, http.cors_origins)) {
      return { status: 403, code: 'origin_not_allowed', message: `the origin ${origin.slice(0, 200)} is not in http.cors_origins` };
    }
    if (this.#apiKey && !this.#authorized(req, this.#apiKey)) {
      return { status: 401, code: 'invalid_api_key', message: 'missing or incorrect API key: send Authorization: Bearer <key> or the openai-insecure-api-key.<key> subprotocol', type: 'invalid_request_error' };
    }
    if (this.#sessions.size >= http.realtime.max_sessions) {
      this.#o.log.warn({ limit: http.realtime.max_sessions, code: 'SAT_ERR_REALTIME_TOO_MANY_SESSIONS' }, 'realtime session refused: limit reached');
      return { status: 429, code: 'rate_limit_exceeded', message: `too many Realtime sessions are open (limit ${http.realtime.max_sessions})`, type: 'rate_limit_error' };
    }
    return undefined;
  }

  #authorized(req: IncomingMessage, apiKey: ApiKey): boolean {
    const bearer = ApiKey.fromBearer(req.headers.authorization);
    const candidates = bearer === undefined ? [] : [bearer];
    for (const p of (req.headers['sec-websocket-protocol'] ?? '').split(',')) {
      const protocol = p.trim();
      if (protocol.startsWith(KEY_PROTOCOL_PREFIX)) candidates.push(protocol.slice(KEY_PROTOCOL_PREFIX.length));
    }
    return candidates.some((key) => apiKey.matches(key));
  }
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  type?: string;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function refuse(socket: Duplex, r: Refusal): void {
  const body = JSON.stringify({ error: { message: r.message, type: r.type ?? (r.status >= 500 ? 'server_error' : 'invalid_request_error'), param: null, code: r.code } });
  const extra = r.status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.end(
    `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Listed origins (or "*"), and the page's own origin (the shim's web view) even when CORS is off. */
function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
