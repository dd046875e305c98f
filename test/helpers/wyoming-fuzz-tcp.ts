/**
 * Throws fuzz scripts at a Wyoming endpoint over many short-lived TCP connections, from several
 * loopback addresses (distinct LAN peers), and checks what comes back: every reply must decode
 * as Wyoming and every `error` must carry a code.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameDecoder, type Frame } from '../../src/wyoming/frame.js';
import { fuzzScript } from './wyoming-fuzz-frames.js';
import { createRandom, laneSeed, type Random } from './seeded-random.js';

export interface TcpFuzzOptions {
  port: number;
  host?: string;
  seed: number;
  /** Frames to throw over the whole run (split evenly between lanes, so each lane replays from the seed). */
  frames: number;
  /** Connections open at once (one per lane). */
  lanes: number;
  /** Local addresses to connect from, e.g. 127.0.0.2 … */
  peers: string[];
  /** The run stops here even if frames are left (epoch ms). */
  deadline: number;
  /** Connections kept half-sent at once, at most (they wait on the server's frame deadline). */
  maxHolders?: number;
}

export interface TcpFuzzStats {
  connections: number;
  frames: number;
  bytes: number;
  byKind: Record<string, number>;
  replies: number;
  errorCodes: Record<string, number>;
  /** `error` events without a WY_/SAT_ code (should stay empty). */
  uncodedErrors: string[];
  /** Reply streams that did not decode as Wyoming (should stay empty). */
  undecodableReplies: string[];
  connectFailures: number;
  resets: number;
  elapsedMs: number;
}

const ERROR_CODE = /^(WY|SAT)_ERR_[A-Z0-9_]+$/;
/** How long a lingering connection waits for replies before it goes. */
const LINGER_MS = 250;
/** How long a half-sent connection is held open. */
const HOLD_MS = 1_500;
const DEFAULT_MAX_HOLDERS = 4;
/** A connection that neither connects nor closes within this is destroyed (never hangs a run). */
const CONNECTION_BOUND_MS = 5_000;
const REPLY_LIMITS = { maxHeaderBytes: 1024 * 1024, maxDataBytes: 16 * 1024 * 1024, maxPayloadBytes: 64 * 1024 * 1024 };
const KEPT_SAMPLES = 10;

type Ending = 'destroy' | 'end' | 'linger' | 'hold';

export function emptyStats(): TcpFuzzStats {
  return { connections: 0, frames: 0, bytes: 0, byKind: {}, replies: 0, errorCodes: {}, uncodedErrors: [], undecodableReplies: [], connectFailures: 0, resets: 0, elapsedMs: 0 };
}

export async function runTcpFuzz(options: TcpFuzzOptions): Promise<TcpFuzzStats> {
  const stats = emptyStats();
  const started = Date.now();
  const holders = { now: 0, max: options.maxHolders ?? DEFAULT_MAX_HOLDERS };
  const perLane = Math.ceil(options.frames / options.lanes);
  await Promise.all(
    Array.from({ length: options.lanes }, async (_, lane) => {
      const r = createRandom(laneSeed(options.seed, lane));
      let sent = 0;
      while (sent < perLane && Date.now() < options.deadline) sent += await oneConnection(options, r, stats, holders);
    }),
  );
  stats.elapsedMs = Date.now() - started;
  return stats;
}

async function oneConnection(options: TcpFuzzOptions, r: Random, stats: TcpFuzzStats, holders: { now: number; max: number }): Promise<number> {
  const script = fuzzScript(r);
  const pieces = split(script.bytes, r);
  const gaps = pieces.map(() => (r.chance(0.3) ? r.int(10) : 0));
  let ending: Ending = r.pick(['destroy', 'end', 'linger', 'hold'] as const);
  const localAddress = r.pick(options.peers);
  stats.connections++;
  stats.frames += script.frames;
  stats.byKind[script.kind] = (stats.byKind[script.kind] ?? 0) + 1;

  const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port, localAddress });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const bound = setTimeout(() => socket.destroy(), CONNECTION_BOUND_MS);
  watchReplies(socket, stats);
  try {
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (!connected) {
      stats.connectFailures++;
      return script.frames;
    }
    for (let i = 0; i < pieces.length && !socket.destroyed; i++) {
      socket.write(pieces[i]!);
      stats.bytes += pieces[i]!.length;
      if (gaps[i]! > 0) await sleep(gaps[i]!);
    }
    if (ending === 'hold' && holders.now >= holders.max) ending = 'linger';
    await finish(socket, ending, closed, holders);
  } finally {
    socket.destroy();
    await closed;
    clearTimeout(bound);
  }
  return script.frames;
}

async function finish(socket: net.Socket, ending: Ending, closed: Promise<void>, holders: { now: number }): Promise<void> {
  if (ending === 'destroy') return;
  if (ending === 'end') socket.end();
  if (ending === 'hold') holders.now++;
  try {
    await Promise.race([closed, sleep(ending === 'hold' ? HOLD_MS : LINGER_MS)]);
  } finally {
    if (ending === 'hold') holders.now--;
  }
}

function watchReplies(socket: net.Socket, stats: TcpFuzzStats): void {
  const decoder = new FrameDecoder(REPLY_LIMITS);
  let failed = false;
  socket.on('data', (chunk: Buffer) => {
    if (failed) return;
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      failed = true;
      if (stats.undecodableReplies.length < KEPT_SAMPLES) stats.undecodableReplies.push(String(err));
      return;
    }
    for (const f of frames) {
      stats.replies++;
      if (f.type !== 'error') continue;
      const code = String(f.data['code']);
      stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
      if (!ERROR_CODE.test(code) && stats.uncodedErrors.length < KEPT_SAMPLES) stats.uncodedErrors.push(JSON.stringify(f.data));
    }
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') stats.resets++;
  });
}

/** The bytes in 1–4 pieces cut at random places (the server must reassemble any split). */
function split(bytes: Buffer, r: Random): Buffer[] {
  const cuts = Array.from({ length: r.int(4) }, () => r.int(bytes.length + 1)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) out.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  return out;
}

/** `count` loopback addresses from 127.0.0.`first` on (one per simulated LAN peer). */
export function loopbackPeers(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
}
