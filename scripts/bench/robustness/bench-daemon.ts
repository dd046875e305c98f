/** The parent's handle on daemon-child.ts: start it, probe its memory and leftovers, see whether it died. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest, Probe } from './daemon-child.js';

const CHILD = fileURLToPath(new URL('./daemon-child.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const DRAIN_POLL_MS = 250;

export class BenchDaemon {
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, readonly port: number) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
    });
  }

  static async start(config: Record<string, unknown>): Promise<BenchDaemon> {
    const child = fork(CHILD, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.send({ type: 'start', config } satisfies ChildRequest);
    const reply = await nextReply(child, START_TIMEOUT_MS);
    if (reply.type !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`daemon did not start: ${reply.type === 'failed' ? reply.error : reply.type}`);
    }
    const daemon = new BenchDaemon(child, reply.port);
    child.once('exit', (code, signal) => (daemon.exit = { code, signal }));
    return daemon;
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Memory after a forced collection, and the streams, sessions and connections held right now. */
  async probe(): Promise<Probe> {
    this.#child.send({ type: 'probe' } satisfies ChildRequest);
    const reply = await nextReply(this.#child, PROBE_TIMEOUT_MS);
    if (reply.type !== 'probe') throw new Error(`probe failed: ${reply.type === 'failed' ? reply.error : reply.type}`);
    const { type: _type, ...probe } = reply;
    return probe;
  }

  /** Probes until no connection, recogniser stream or wake session is held, or `timeoutMs` passes; returns the last probe. */
  async drained(timeoutMs: number): Promise<Probe> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = await this.probe();
      if ((probe.connections === 0 && probe.asrStreams === 0 && probe.wakeSessions === 0) || Date.now() > deadline) return probe;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.#child.send({ type: 'stop' } satisfies ChildRequest);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}

function nextReply(child: ChildProcess, timeoutMs: number): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      fn();
    };
    const onMessage = (reply: ChildReply) => done(() => resolve(reply));
    const onExit = (code: number | null, signal: string | null) => done(() => reject(new Error(`daemon exited (code ${code}, signal ${signal})`)));
    const timer = setTimeout(() => done(() => reject(new Error('daemon did not answer in time'))), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
