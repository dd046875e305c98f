/**
 * Writing responses: JSON and text bodies, chunked bytes with backpressure, and server-sent
 * events. Every writer is a no-op once the response has ended (a timeout may have answered it).
 */
import type { ServerResponse } from 'node:http';

function open(res: ServerResponse): boolean {
  return !res.writableEnded && !res.destroyed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  if (!open(res) || res.headersSent) return;
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Writes one chunk; resolves when the socket can take more (or the response is gone). */
export function writeChunk(res: ServerResponse, chunk: Buffer | string): Promise<void> {
  if (!open(res)) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function endResponse(res: ServerResponse): void {
  if (open(res)) res.end();
}

/** Server-sent events: `data: <json>` per event, as OpenAI streams them. */
export class SseWriter {
  constructor(readonly res: ServerResponse) {}

  start(headers: Record<string, string> = {}): void {
    if (!open(this.res) || this.res.headersSent) return;
    this.res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
  }

  send(event: Record<string, unknown>): Promise<void> {
    return writeChunk(this.res, `data: ${JSON.stringify(event)}\n\n`);
  }

  /** An error after the stream began: an `error` event (the SDK raises it), then the end. */
  async fail(body: Record<string, unknown>): Promise<void> {
    await writeChunk(this.res, `event: error\ndata: ${JSON.stringify(body)}\n\n`);
    this.end();
  }

  end(): void {
    endResponse(this.res);
  }
}
