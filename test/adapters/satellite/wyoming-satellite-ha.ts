/**
 * Plays Home Assistant's side of a satellite link over real TCP, in HA's order
 * (wyoming-protocol.md §4.6): connect, `run-satellite`, `describe`; 2 s after connecting and 2 s
 * after each `pong` a `ping {text: null}`; the satellite's pings are answered with `pong`.
 */
import net from 'node:net';
import { FrameDecoder, encodeFrame, type Frame } from '../../../src/wyoming/frame.js';
import { eventFrame, type EventData, type EventType } from '../../../src/wyoming/events.js';

/** HA's `_PING_SEND_DELAY`. */
const HA_PING_DELAY_MS = 2_000;
const HA_CHUNK_BYTES = 2048;

export class FakeHomeAssistant {
  readonly frames: Frame[] = [];
  closed = false;
  readonly #socket: net.Socket;
  readonly #decoder = new FrameDecoder({ maxPayloadBytes: 16 * 1024 * 1024, maxDataBytes: 1024 * 1024 });
  #waiters: Array<() => void> = [];
  #pingTimer: NodeJS.Timeout | undefined;
  #pinging = true;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#decoder.push(chunk)) this.#onFrame(frame);
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.#pingTimer);
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and starts the way HA does: run-satellite, describe, then pings. */
  static async connect(port: number, options: { ping?: boolean; run?: boolean } = {}): Promise<FakeHomeAssistant> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const ha = new FakeHomeAssistant(socket);
    ha.#pinging = options.ping ?? true;
    if (options.run ?? true) ha.send('run-satellite', {});
    ha.send('describe', {});
    if (ha.#pinging) ha.#schedulePing();
    return ha;
  }

  send<T extends EventType>(type: T, data: EventData<T>, payload?: Buffer): void {
    if (!this.closed) this.#socket.write(encodeFrame(eventFrame(type, data, payload)));
  }

  /** Stops sending anything on its own (pings, pongs): a peer that has gone silent. */
  goSilent(): void {
    this.#pinging = false;
    clearTimeout(this.#pingTimer);
  }

  /** Sends TTS audio the way HA does: audio-start, 2048-byte chunks with timestamps, audio-stop. */
  sendAudio(pcm: Buffer, format: { rate: number; width: number; channels: number }, stop = true): void {
    const bytesPerMs = (format.rate * format.width * format.channels) / 1000;
    this.send('audio-start', { ...format, timestamp: 0 });
    for (let at = 0; at < pcm.length; at += HA_CHUNK_BYTES) {
      this.send('audio-chunk', { ...format, timestamp: Math.round(at / bytesPerMs) }, pcm.subarray(at, at + HA_CHUNK_BYTES));
    }
    if (stop) this.send('audio-stop', { timestamp: Math.round(pcm.length / bytesPerMs) });
  }

  async waitFor(predicate: (frame: Frame, index: number) => boolean, timeoutMs = 15_000, from = 0): Promise<{ frame: Frame; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.frames.length; i++) {
        if (predicate(this.frames[i]!, i)) return { frame: this.frames[i]!, index: i };
      }
      if (this.closed) throw new Error(`connection closed; got ${this.summary()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForType(type: string, timeoutMs?: number, from = 0): Promise<{ frame: Frame; index: number }> {
    return this.waitFor((f) => f.type === type, timeoutMs, from);
  }

  async waitClosed(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('still open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Concatenated payloads of the satellite's audio-chunk events from `from` on. */
  streamedAudio(from = 0): Buffer {
    return Buffer.concat(this.frames.slice(from).filter((f) => f.type === 'audio-chunk').map((f) => f.payload ?? Buffer.alloc(0)));
  }

  types(from = 0): string[] {
    return this.frames.slice(from).map((f) => f.type);
  }

  summary(): string {
    const counts = new Map<string, number>();
    for (const f of this.frames) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
    return [...counts].map(([t, n]) => `${t}×${n}`).join(', ');
  }

  close(): void {
    clearTimeout(this.#pingTimer);
    this.#socket.destroy();
  }

  #onFrame(frame: Frame): void {
    this.frames.push(frame);
    if (frame.type === 'ping' && this.#pinging) this.send('pong', { text: (frame.data?.['text'] as string | null | undefined) ?? null });
    if (frame.type === 'pong' && this.#pinging) this.#schedulePing();
  }

  #schedulePing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => this.send('ping', { text: null }), HA_PING_DELAY_MS);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
