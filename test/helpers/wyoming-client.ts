/** A Wyoming client over real TCP for tests: send typed events, await the ones that come back. */
import net from 'node:net';
import { FrameDecoder, encodeFrame, type Frame } from '../../src/wyoming/frame.js';
import { eventFrame, type EventData, type EventType } from '../../src/wyoming/events.js';

export class WyomingTestClient {
  readonly frames: Frame[] = [];
  readonly #socket: net.Socket;
  readonly #decoder = new FrameDecoder({ maxPayloadBytes: 64 * 1024 * 1024, maxDataBytes: 16 * 1024 * 1024 });
  #waiters: Array<() => void> = [];
  closed = false;
  error: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...this.#decoder.push(chunk));
      } catch (err) {
        this.error = err as Error;
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', (err) => {
      this.error = err;
    });
  }

  /** `localAddress` (e.g. 127.0.0.7) makes the connection come from a distinct loopback peer. */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<WyomingTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new WyomingTestClient(socket)));
      socket.once('error', reject);
    });
  }

  send<T extends EventType>(type: T, data: EventData<T>, payload?: Buffer): void {
    this.#socket.write(encodeFrame(eventFrame(type, data, payload)));
  }

  sendFrame(frame: Frame): void {
    this.#socket.write(encodeFrame(frame));
  }

  writeRaw(bytes: Buffer | string): void {
    this.#socket.write(bytes);
  }

  /** Resolves with the first frame (at or after index `from`) matching `predicate`. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      if (this.closed) throw new Error(`connection closed before the expected event; got: ${this.types().join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got: ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForType(type: string, timeoutMs = 10_000, from = 0): Promise<Frame> {
    return this.waitFor((f) => f.type === type, timeoutMs, from);
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  types(): string[] {
    return this.frames.map((f) => f.type);
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Streams 16-bit PCM as audio-start, chunks of `chunkMs`, audio-stop. */
export function sendAudio(
  client: WyomingTestClient,
  pcm: Buffer,
  format: { rate: number; width: number; channels: number },
  chunkMs = 100,
  stop = true,
): void {
  client.send('audio-start', { ...format, timestamp: null });
  const bytesPerChunk = Math.max(format.width * format.channels, Math.round((format.rate * chunkMs) / 1000) * format.width * format.channels);
  for (let at = 0; at < pcm.length; at += bytesPerChunk) {
    client.send('audio-chunk', { ...format, timestamp: null }, pcm.subarray(at, at + bytesPerChunk));
  }
  if (stop) client.send('audio-stop', { timestamp: null });
}
