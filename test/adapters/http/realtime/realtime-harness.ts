/**
 * The real daemon with the HTTP shim on TLS (a self-signed certificate generated into its state
 * dir), and a raw `ws` client that records every Realtime event it receives.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { startTestDaemon } from '../../../helpers/daemon.js';
import { sharedModel } from '../../../helpers/system.js';
import { ZIPFORMER_DIR, type HttpDaemon } from '../http-daemon.js';
import { RATE } from './realtime-audio.js';

export { clipPcm24, RATE, silence } from './realtime-audio.js';

export const API_KEY = 'rt-key-123';
/** How long `next` waits for an event by default (a first model load included). */
const NEXT_TIMEOUT_MS = 60_000;

export interface RealtimeDaemon {
  daemon: HttpDaemon;
  port: number;
  /** The self-signed certificate the shim serves (trust it with `ca` or NODE_EXTRA_CA_CERTS). */
  caFile: string;
  ca: Buffer;
  wsUrl: string;
  httpsUrl: string;
}

export async function startRealtimeDaemon(http: Record<string, unknown> = {}): Promise<RealtimeDaemon> {
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'realtime-models-'));
  for (const dir of [ZIPFORMER_DIR, 'silero-vad']) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
  // At least info: the tests follow the sessions' open and close log lines.
  const level = process.env['SATELLITE_TEST_LOG'];
  const started = await startTestDaemon(
    { models_dir: modelsDir, http: { enabled: true, port: 0, api_key: API_KEY, tls: { self_signed: true }, ...http }, tts: { espeak: { voices: ['en-us'] } } },
    { logLevel: level === 'debug' || level === 'trace' ? level : 'info' },
  );
  const port = started.context.endpoints.http!.port;
  const daemon: HttpDaemon = { ...started, url: `https://127.0.0.1:${port}` };
  const caFile = path.join(daemon.context.config.state_dir!, 'tls', 'shim-cert.pem');
  return { daemon, port, caFile, ca: readFileSync(caFile), wsUrl: `wss://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`, httpsUrl: `https://127.0.0.1:${port}` };
}


export type Event = { type: string } & Record<string, any>;

/** A raw WebSocket client keeping every event; `next` waits for the first unseen one of a type. */
export class RawClient {
  readonly events: Event[] = [];
  #seen = 0;
  #waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.events.push(JSON.parse(String(data)) as Event);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.#wake();
    });
    ws.on('error', () => this.#wake());
  }

  static open(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<RawClient> {
    const { protocols, ...rest } = options;
    const ws = new WebSocket(url, protocols ?? [], rest);
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  /**
   * Resolves with the first event of `type` after the last one `next` returned; rejects if the
   * socket closes first or nothing matching arrives within `timeoutMs` (a missing event fails the
   * test instead of hanging it).
   */
  async next(type: string, match: (e: Event) => boolean = () => true, timeoutMs = NEXT_TIMEOUT_MS): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e, i) => i >= this.#seen && e.type === type && match(e));
      if (index >= 0) {
        this.#seen = index + 1;
        return this.events[index]!;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before ${type}; got ${this.events.map((e) => e.type).join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.events.slice(this.#seen).map((e) => e.type).join(', ')}`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Waits for the socket to close. */
  async closedWith(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.closed;
  }

  /** Sends PCM as appends of `chunkMs`, optionally at real-time pace. */
  async stream(pcm: Buffer, chunkMs = 100, realTime = false): Promise<void> {
    const bytes = Math.round((RATE * chunkMs) / 1000) * 2;
    for (let at = 0; at < pcm.length; at += bytes) {
      this.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(at, at + bytes).toString('base64') });
      if (realTime) await new Promise((r) => setTimeout(r, chunkMs));
    }
  }

  close(): void {
    this.ws.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Audio of every `response.output_audio.delta` of one response, as 16-bit PCM bytes. */
export function responseAudio(events: readonly Event[], responseId: string): Buffer {
  return Buffer.concat(events.filter((e) => e.type === 'response.output_audio.delta' && e['response_id'] === responseId).map((e) => Buffer.from(String(e['delta']), 'base64')));
}


/** Waits until the daemon has released every Realtime session (its log says `open: 0`). */
export async function noSessions(rt: RealtimeDaemon): Promise<void> {
  for (;;) {
    const last = [...rt.daemon.logs].reverse().find((line) => line.includes('realtime session'));
    if (!last || last.includes('"open":0')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
