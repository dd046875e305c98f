/**
 * A real HTTP server on loopback that plays a model publisher: serves files from disk (or
 * bytes), answers Range requests, and can misbehave on purpose (drop a connection halfway,
 * answer 404/500, flip a byte, redirect). Every request is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export interface Route {
  /** File on disk or in-memory bytes. */
  file?: string;
  body?: Buffer;
  status?: number;
  /** The first `dropTimes` requests send this many bytes, then cut the connection. */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** Flip one byte in the middle (a corrupted or changed upstream file). */
  flipByte?: boolean;
  /** Redirect to this absolute URL or path. */
  redirect?: string;
  /** Ignore Range headers (always send 200 with the whole body). */
  noRange?: boolean;
  /** Answer only once this settles (lets a test observe the state before a download ends). */
  hold?: Promise<void>;
}

export interface RecordedRequest {
  path: string;
  range: string | undefined;
  authorization: string | undefined;
  host: string | undefined;
}

export class MirrorServer {
  readonly routes = new Map<string, Route>();
  readonly requests: RecordedRequest[] = [];
  readonly #server: http.Server;
  #drops = new Map<string, number>();
  port = 0;

  constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
  }

  /** `port`: a given one (a test that lets a mirror "come back" on the address clients already use). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Mirror rules that send the publishers' hosts here. */
  mirrors(): Record<string, string> {
    return {
      'https://raw.githubusercontent.com/': `${this.base}/raw/`,
      'https://github.com/': `${this.base}/gh/`,
      'https://huggingface.co/': `${this.base}/hf/`,
      'https://alphacephei.com/': `${this.base}/vosk/`,
    };
  }

  /** The path this server answers for a publisher URL under `mirrors()`. */
  pathFor(url: string): string {
    for (const [prefix, target] of Object.entries(this.mirrors())) {
      if (url.startsWith(prefix)) return new URL(target).pathname + url.slice(prefix.length);
    }
    throw new Error(`no mirror rule for ${url}`);
  }

  route(url: string, route: Route): void {
    this.routes.set(url.startsWith('/') ? url : this.pathFor(url), route);
  }

  requestsFor(urlOrPath: string): RecordedRequest[] {
    const p = urlOrPath.startsWith('/') ? urlOrPath : this.pathFor(urlOrPath);
    return this.requests.filter((r) => r.path === p);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push({ path: p, range: req.headers.range, authorization: req.headers.authorization, host: req.headers.host });
    const route = this.routes.get(p);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.hold) {
      const held = route.hold;
      const rest = { ...route, hold: undefined };
      void held.then(() => this.#serve(req, res, p, rest));
      return;
    }
    this.#serve(req, res, p, route);
  }

  #serve(req: http.IncomingMessage, res: http.ServerResponse, p: string, route: Route): void {
    if (route.redirect) {
      res.writeHead(302, { location: route.redirect }).end();
      return;
    }
    if (route.status) {
      res.writeHead(route.status).end(`status ${route.status}`);
      return;
    }
    let body = route.body ?? readFileSync(route.file!);
    if (route.flipByte) {
      body = Buffer.from(body);
      const i = Math.floor(body.length / 2);
      body[i] = body[i]! ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && !route.noRange) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    }
    const dropped = this.#drops.get(p) ?? 0;
    if (route.dropAfterBytes !== undefined && dropped < (route.dropTimes ?? 1)) {
      this.#drops.set(p, dropped + 1);
      res.write(body.subarray(start, start + route.dropAfterBytes), () => res.socket?.destroy());
      return;
    }
    res.end(body.subarray(start));
  }
}
