/**
 * The daemon under test for the robustness benchmark, in its own process (so the load and fuzz
 * clients never share its event loop) and started with --expose-gc (so memory is read after a
 * full collection, not whenever V8 last collected). Loopback only, mDNS and auto-pull off
 * (startTestDaemon). IPC: start → ready {port}; probe → probe {rss, …}; stop → exit.
 */
import { startTestDaemon, type TestDaemon } from '../../../test/helpers/daemon.js';
import { heldConnections } from '../../../test/helpers/tcp-sockets.js';

export type ChildRequest = { type: 'start'; config: Record<string, unknown> } | { type: 'probe' } | { type: 'stop' };

export interface Probe {
  rssBytes: number;
  heapUsedBytes: number;
  asrStreams: number;
  wakeSessions: number;
  connections: number;
  logLines: number;
  logBytes: number;
}

export type ChildReply = { type: 'ready'; port: number } | { type: 'failed'; error: string } | ({ type: 'probe' } & Probe);

/** The production default level, so log volume is what a user's journal would get. */
const LOG_LEVEL = 'info';
const GC_ROUNDS = 2;

let daemon: TestDaemon | undefined;

function send(reply: ChildReply): void {
  process.send?.(reply);
}

async function probe(d: TestDaemon): Promise<Probe> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < GC_ROUNDS; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  let asrStreams = 0;
  for (const engine of d.context.speech.ids('asr').map((id) => d.context.speech.engine('asr', id)!)) asrStreams += (engine as { activeStreams?: number }).activeStreams ?? 0;
  let wakeSessions = 0;
  for (const engine of d.context.speech.ids('wake').map((id) => d.context.speech.engine('wake', id)!)) wakeSessions += engine.sessionCount ?? 0;
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    asrStreams,
    wakeSessions,
    connections: heldConnections(d.providerPort),
    logLines: d.logVolume.lines,
    logBytes: d.logVolume.bytes,
  };
}

process.on('message', (request: ChildRequest) => {
  void (async () => {
    try {
      if (request.type === 'start') {
        daemon = await startTestDaemon(request.config, { logLevel: LOG_LEVEL, keepLogs: false });
        send({ type: 'ready', port: daemon.providerPort });
      } else if (request.type === 'probe' && daemon) {
        send({ type: 'probe', ...(await probe(daemon)) });
      } else if (request.type === 'stop') {
        await daemon?.stop();
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
