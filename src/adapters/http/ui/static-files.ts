/**
 * The page's files (HTML, CSS, JS modules; no build step) are read once from the static folder
 * beside this module's source, found by walking up from here so it works from src/ and dist/ alike.
 * They are served from memory with an ETag, gzip when the browser takes it, and headers that keep
 * the page from loading anything from anywhere but the daemon.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ServerResponse, IncomingMessage } from 'node:http';

/** Where the files are kept, relative to the package root. */
export const STATIC_DIR = path.join('src', 'adapters', 'http', 'ui', 'static');
const MAX_PARENT_LEVELS = 8;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/** Everything comes from the daemon itself; recorded audio and synthesized speech play from blob: URLs. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

interface StaticFile {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

export function findStaticDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < MAX_PARENT_LEVELS; i++) {
    const candidate = path.join(dir, STATIC_DIR);
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`the web view's files (${STATIC_DIR}/index.html) are not found above ${from}`);
}

export class StaticFiles {
  readonly #files = new Map<string, StaticFile>();

  constructor(dir: string = findStaticDir()) {
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[path.extname(name)];
      const full = path.join(dir, name);
      if (!type || !statSync(full).isFile()) continue;
      const body = readFileSync(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      this.#files.set(name, { body, gzip: gzipSync(body), type, etag });
    }
  }

  has(name: string): boolean {
    return this.#files.has(name);
  }

  /** Sends `name`, or returns false when there is no such file. */
  send(req: IncomingMessage, res: ServerResponse, name: string): boolean {
    const file = this.#files.get(name);
    if (!file) return false;
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { ...COMMON_HEADERS, ETag: file.etag }).end();
      return true;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip : file.body;
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': file.type,
      'Content-Length': body.length,
      ETag: file.etag,
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}
