/**
 * Codec and endpoint speed: encode/decode of `audio-chunk` events with 2048-byte payloads on one
 * core, and `describe` round-trip latency over loopback against a real provider endpoint.
 */
import { performance } from 'node:perf_hooks';
import { FrameDecoder, encodeFrame } from '../../src/wyoming/frame.js';
import { parseEvent } from '../../src/wyoming/events.js';
import { WyomingServer } from '../../src/adapters/wyoming/wyoming-server.js';
import { DEFAULT_FRAME_LIMITS } from '../../src/wyoming/frame.js';
import { buildInfo } from '../../src/wyoming/info.js';
import { createLogger } from '../../src/util/logger.js';
import { WyomingTestClient } from '../../test/helpers/wyoming-client.js';
import type { BenchResult } from './types.js';

const EVENTS = 400_000;
const PAYLOAD = Buffer.alloc(2048, 7);
const SOCKET_CHUNK = 64 * 1024;
const ROUND_TRIPS = 2000;
const TARGET_EVENTS_PER_S = 400_000;
const TARGET_P99_MS = 2;

function chunkFrame() {
  return { type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1, timestamp: null }, payload: PAYLOAD };
}

function benchEncode(): { perSecond: number; mbPerSecond: number; bytes: Buffer } {
  const frame = chunkFrame();
  for (let i = 0; i < 20_000; i++) encodeFrame(frame); // warm-up
  const parts: Buffer[] = [];
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const b = encodeFrame(frame);
    bytes += b.length;
    if (i < 50_000) parts.push(b);
  }
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: EVENTS / seconds, mbPerSecond: bytes / seconds / 1e6, bytes: Buffer.concat(parts) };
}

function benchDecode(sample: Buffer): { perSecond: number; mbPerSecond: number } {
  const chunks: Buffer[] = [];
  for (let at = 0; at < sample.length; at += SOCKET_CHUNK) chunks.push(sample.subarray(at, at + SOCKET_CHUNK));
  const rounds = Math.ceil(EVENTS / 50_000);
  let frames = 0;
  // warm-up
  const warm = new FrameDecoder();
  for (const c of chunks) for (const f of warm.push(c)) parseEvent(f);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    const decoder = new FrameDecoder();
    for (const c of chunks) {
      for (const f of decoder.push(c)) {
        parseEvent(f);
        frames++;
      }
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: frames / seconds, mbPerSecond: (sample.length * rounds) / seconds / 1e6 };
}

async function benchDescribe(): Promise<{ p50: number; p99: number }> {
  const server = new WyomingServer({
    name: 'bench',
    host: '127.0.0.1',
    port: 0,
    maxConnections: 8,
    idleTimeoutMs: 0,
    limits: { ...DEFAULT_FRAME_LIMITS },
    info: () => buildInfo({}),
    createHandler: () => ({ onEvent: () => undefined }),
    log: createLogger({ level: 'silent' }),
  });
  const { port } = await server.listen();
  const client = await WyomingTestClient.connect(port);
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const before = client.frames.length;
    const start = performance.now();
    client.send('describe', {});
    await client.waitFor((f) => f.type === 'info', 5000, before);
    times.push(performance.now() - start);
    client.frames.length = 0;
  }
  client.close();
  await server.close();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function bench(): Promise<BenchResult[]> {
  const encode = benchEncode();
  const decode = benchDecode(encode.bytes);
  const describe = await benchDescribe();
  return [
    { name: 'codec encode audio-chunk (2048 B)', value: Math.round(encode.perSecond), unit: 'events/s', target: `≥ ${TARGET_EVENTS_PER_S}`, pass: encode.perSecond >= TARGET_EVENTS_PER_S },
    { name: 'codec encode throughput', value: Math.round(encode.mbPerSecond), unit: 'MB/s' },
    { name: 'codec decode+type audio-chunk (2048 B)', value: Math.round(decode.perSecond), unit: 'events/s', target: `≥ ${TARGET_EVENTS_PER_S}`, pass: decode.perSecond >= TARGET_EVENTS_PER_S },
    { name: 'codec decode throughput', value: Math.round(decode.mbPerSecond), unit: 'MB/s' },
    { name: 'describe round trip p50 (loopback)', value: +describe.p50.toFixed(3), unit: 'ms' },
    { name: 'describe round trip p99 (loopback)', value: +describe.p99.toFixed(3), unit: 'ms', target: `< ${TARGET_P99_MS}`, pass: describe.p99 < TARGET_P99_MS },
  ];
}
