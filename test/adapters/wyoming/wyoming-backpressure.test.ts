/**
 * Backpressure from a slow handler into the peer's socket, over real TCP: a peer pushing audio
 * far faster than it is consumed has its reads paused, what the daemon holds for it stays under
 * the queue's bound, and everything arrives in order once the handler catches up.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WyomingServer } from '../../../src/adapters/wyoming/wyoming-server.js';
import type { WyomingConnection } from '../../../src/adapters/wyoming/wyoming-connection.js';
import { MAX_QUEUED_BYTES } from '../../../src/adapters/wyoming/wyoming-frame-queue.js';
import { buildInfo } from '../../../src/wyoming/info.js';
import { DEFAULT_FRAME_LIMITS, encodeFrame } from '../../../src/wyoming/frame.js';
import { eventFrame } from '../../../src/wyoming/events.js';
import { createLogger } from '../../../src/util/logger.js';

const FORMAT = { rate: 16_000, width: 2, channels: 1, timestamp: null };
/** The push of the performance issue: 20,000 chunks of 100 ms (64 MB, far beyond any socket buffer). */
const CHUNKS = 20_000;
const CHUNK_BYTES = 3200;
/** Read ahead the bound allows besides the queue: one socket read, the stream's buffer, frame headers. */
const SLACK_BYTES = 256 * 1024;

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('backpressure from the handler into socket reads', () => {
  let server: WyomingServer | undefined;
  after(async () => server?.close());

  test('a peer pushing audio faster than it is handled is paused, and the queued bytes stay under the bound', async () => {
    let connection: WyomingConnection | undefined;
    let gate: Promise<void> | undefined = new Promise<void>(() => undefined);
    let openGate = () => undefined as void;
    gate = new Promise<void>((resolve) => (openGate = resolve));
    let handledChunks = 0;
    let handledBytes = 0;
    /** Bytes on the wire of the frames handled (header, data and payload). */
    let handledWire = 0;
    let peakHeld = 0;
    let pausedSeen = false;
    let order = true;
    server = new WyomingServer({
      name: 'backpressure',
      host: '127.0.0.1',
      port: 0,
      maxConnections: 4,
      idleTimeoutMs: 0,
      frameTimeoutMs: 2_000,
      limits: { ...DEFAULT_FRAME_LIMITS },
      info: () => buildInfo({}),
      createHandler: (c) => {
        connection = c;
        return {
          async onEvent(_event, frame) {
            if (frame.type !== 'audio-chunk') return;
            // A decoder slower than the peer: nothing moves until the gate opens.
            await gate;
            pausedSeen ||= c.paused;
            if (frame.data['n'] !== handledChunks) order = false;
            handledChunks++;
            handledBytes += frame.payload?.length ?? 0;
            handledWire += encodeFrame(frame).length;
            // Read but not handled yet: what the daemon holds for this peer.
            peakHeld = Math.max(peakHeld, c.bytesRead - handledWire);
          },
        };
      },
      log: createLogger({ level: 'silent' }),
    });
    const { port } = await server.listen();
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const payload = Buffer.alloc(CHUNK_BYTES, 1);
    socket.write(encodeFrame(eventFrame('audio-start', FORMAT)));
    for (let n = 0; n < CHUNKS; n++) socket.write(encodeFrame({ type: 'audio-chunk', data: { ...FORMAT, n }, payload }));
    const total = CHUNKS * CHUNK_BYTES;

    await until(() => connection?.paused === true, 'the connection to pause its reads');
    // Let the kernel buffers fill: the daemon still reads nothing more while it is paused.
    await new Promise((r) => setTimeout(r, 300));
    const held = connection!.bytesRead;
    assert.ok(held <= MAX_QUEUED_BYTES + SLACK_BYTES, `read ${held} bytes while the handler took none (bound ${MAX_QUEUED_BYTES})`);
    assert.ok(socket.writableLength > total / 2, `the rest waits in the peer (${socket.writableLength} of ${total} bytes)`);

    // The decoder catches up: reads resume and every chunk arrives, in order, within the bound.
    openGate();
    gate = undefined;
    await until(() => handledChunks === CHUNKS, 'every chunk to be handled');
    assert.equal(handledBytes, total);
    assert.ok(order, 'chunks arrive in the order sent');
    assert.ok(pausedSeen, 'handled while paused: the queue worked down before reads resumed');
    assert.ok(peakHeld <= MAX_QUEUED_BYTES + SLACK_BYTES, `held ${peakHeld} bytes at most (bound ${MAX_QUEUED_BYTES})`);
    assert.equal(connection!.paused, false, 'reads resumed once the queue drained');
    socket.destroy();
  });
});
