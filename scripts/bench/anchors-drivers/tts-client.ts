/**
 * A Wyoming TTS client in its own process for the anchor comparison: one new connection per
 * request, as Home Assistant makes (wyoming-piper ignores a `synthesize` that follows a finished
 * stream on the same connection). Started with the server port; answers IPC requests with the
 * times of the first audio-chunk and of the end (`audio-stop` for classic, `synthesize-stopped`
 * for streaming).
 * Usage: fork(tts-client.js, [PORT]); send { kind, text, pieces, voice }.
 */
import net from 'node:net';
import { FrameDecoder, encodeFrame, type Frame } from '../../../src/wyoming/frame.js';

export interface TtsRequest {
  kind: 'classic' | 'stream';
  text: string;
  pieces: string[];
  voice: string;
}

export interface TtsReply {
  firstMs: number;
  totalMs: number;
  bytes: number;
  error?: string;
}

const TIMEOUT_MS = 300_000;

function request(port: number, r: TtsRequest): Promise<TtsReply> {
  return new Promise((resolve) => {
    const start = performance.now();
    let firstMs = NaN;
    let bytes = 0;
    const end = r.kind === 'classic' ? 'audio-stop' : 'synthesize-stopped';
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const finish = (reply: TtsReply) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish({ firstMs, totalMs: NaN, bytes, error: 'timed out' }), TIMEOUT_MS);
    const decoder = new FrameDecoder({ maxPayloadBytes: 64 * 1024 * 1024 });
    const onFrame = (f: Frame) => {
      if (f.type === 'error') finish({ firstMs, totalMs: NaN, bytes, error: String(f.data['text']) });
      else if (f.type === 'audio-chunk') {
        if (Number.isNaN(firstMs)) firstMs = performance.now() - start;
        bytes += f.payload?.length ?? 0;
      } else if (f.type === end) finish({ firstMs, totalMs: performance.now() - start, bytes });
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) onFrame(f);
      } catch (err) {
        finish({ firstMs, totalMs: NaN, bytes, error: err instanceof Error ? err.message : String(err) });
      }
    });
    socket.on('error', (err) => finish({ firstMs, totalMs: NaN, bytes, error: err.message }));
    socket.on('close', () => finish({ firstMs, totalMs: NaN, bytes, error: 'connection closed' }));
    const send = (type: string, data: Record<string, unknown>) => socket.write(encodeFrame({ type, data }));
    const voice = { name: r.voice };
    if (r.kind === 'classic') {
      send('synthesize', { text: r.text, voice });
    } else {
      send('synthesize-start', { voice });
      for (const text of r.pieces) send('synthesize-chunk', { text });
      // the whole text too, for servers without streaming (HA sends it the same way)
      send('synthesize', { text: r.text, voice });
      send('synthesize-stop', {});
    }
  });
}

const port = Number(process.argv[2]);
if (process.send && Number.isInteger(port) && port > 0) {
  process.on('message', (r: TtsRequest) => void request(port, r).then((reply) => process.send?.(reply)));
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
}
