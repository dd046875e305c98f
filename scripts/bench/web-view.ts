/**
 * What the live web view costs the satellite: the mic level and wake scores computed for every
 * chunk while a viewer watches (a minute of 16 kHz audio in the mic's chunks), and the events
 * going out to four browsers on loopback at the throttled rate. Given as a share of one core
 * against real time; the goal is under 1 %.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreBus } from '../../src/core/bus.js';
import { SatelliteDiagnostics } from '../../src/adapters/satellite/satellite-diagnostics.js';
import { ViewerHub } from '../../src/adapters/http/ui/viewer-hub.js';
import { createLogger } from '../../src/util/logger.js';
import type { BenchResult } from './types.js';

const AUDIO_SECONDS = 60;
const RATE = 16_000;
const SAMPLES_PER_CHUNK = 1024;
/** openWakeWord scores every 80 ms. */
const HOPS_PER_SECOND = 12.5;
const VIEWERS = 4;
/** Level and scores, ten of each a second (DIAGNOSTICS_INTERVAL_MS). */
const EVENTS_PER_SECOND = 20;
const TARGET_PERCENT = 1;

function noisyChunk(): Buffer {
  const pcm = Buffer.alloc(SAMPLES_PER_CHUNK * 2);
  for (let i = 0; i < SAMPLES_PER_CHUNK; i++) pcm.writeInt16LE(Math.round((Math.random() - 0.5) * 8000), i * 2);
  return pcm;
}

/** CPU milliseconds to compute the diagnostics for AUDIO_SECONDS of audio, with a listener (the worst case). */
function diagnosticsCpuMs(): number {
  const bus = new CoreBus(createLogger({ level: 'silent' }));
  bus.on('mic-level', 'bench', () => undefined);
  bus.on('wake-scores', 'bench', () => undefined);
  let clock = 0;
  const diagnostics = new SatelliteDiagnostics(bus, () => clock);
  const chunk = noisyChunk();
  const chunks = Math.round((AUDIO_SECONDS * RATE) / SAMPLES_PER_CHUNK);
  const chunkMs = (SAMPLES_PER_CHUNK / RATE) * 1000;
  const hopsPerChunk = (HOPS_PER_SECOND * SAMPLES_PER_CHUNK) / RATE;
  let hops = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < chunks; i++) {
    diagnostics.micChunk(chunk);
    for (hops += hopsPerChunk; hops >= 1; hops--) diagnostics.wakeScores({ alexa: Math.random(), hey_jarvis: Math.random() });
    clock += chunkMs;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CPU milliseconds for one second's worth of events to VIEWERS browsers (real sockets, real reads). */
async function broadcastCpuMs(): Promise<number> {
  const log = createLogger({ level: 'silent' });
  const hub = new ViewerHub({ maxViewers: VIEWERS, maxBufferedBytes: 256 * 1024, log });
  const server = http.createServer((_req, res) => hub.add(res, [{ type: 'snapshot', data: {} }]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const readers = await Promise.all(
    Array.from({ length: VIEWERS }, async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const reader = response.body!.getReader();
      void (async () => {
        while (!(await reader.read().catch(() => ({ done: true }))).done);
      })();
      return reader;
    }),
  );
  const seconds = AUDIO_SECONDS;
  const start = process.cpuUsage();
  for (let i = 0; i < seconds * EVENTS_PER_SECOND; i++) {
    hub.broadcast(i % 2 ? { type: 'level', data: { rmsDbfs: -42.1, peakDbfs: -30.5 }, lossy: true } : { type: 'scores', data: { scores: { alexa: 0.012, hey_jarvis: 0.003 } }, lossy: true });
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const used = process.cpuUsage(start);
  hub.close();
  for (const r of readers) await r.cancel().catch(() => undefined);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // The readers run in this process too: what is measured includes the browsers' side, an upper bound.
  return (used.user + used.system) / 1000;
}

export async function bench(): Promise<BenchResult[]> {
  diagnosticsCpuMs(); // warm-up
  const diagnostics = diagnosticsCpuMs();
  const broadcast = await broadcastCpuMs();
  const share = (ms: number) => (ms / (AUDIO_SECONDS * 1000)) * 100;
  const total = share(diagnostics) + share(broadcast);
  return [
    { name: 'web view mic level + wake scores (while watched)', value: Number(share(diagnostics).toFixed(3)), unit: '% of a core', note: `${AUDIO_SECONDS} s of 16 kHz audio in ${SAMPLES_PER_CHUNK}-sample chunks` },
    { name: `web view events to ${VIEWERS} browsers`, value: Number(share(broadcast).toFixed(3)), unit: '% of a core', note: `${EVENTS_PER_SECOND} events/s over loopback SSE, readers included` },
    { name: 'web view diagnostics total', value: Number(total.toFixed(3)), unit: '% of a core', target: `< ${TARGET_PERCENT}`, pass: total < TARGET_PERCENT },
  ];
}
