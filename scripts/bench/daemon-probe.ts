/**
 * The daemon as a measured child process, for the start-up, idle-memory and wake-CPU benchmarks:
 * spawn it on a free loopback port with a given config, time the first answered `describe`, and
 * read its resident memory and CPU time from /proc (the figures `ps` and systemd show).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { CLI_PATH } from '../../test/helpers/daemon-process.js';
import { freePort } from './anchors-measure.js';

/** The /proc readings and statistics the anchor benchmarks use, so every figure is taken alike. */
export { cpuSeconds, median, rssMb } from './anchors-measure.js';

const DESCRIBE_POLL_MS = 2;
const START_TIMEOUT_MS = 60_000;

/** A models folder holding links to the named shared model folders (or, with a file filter, to some of their files). */
export function modelsFolder(links: Array<{ name: string; from: string; files?: string[] }>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-bench-models-'));
  for (const link of links) {
    if (!link.files) {
      symlinkSync(link.from, path.join(dir, link.name));
      continue;
    }
    mkdirSync(path.join(dir, link.name));
    for (const f of link.files) symlinkSync(path.join(link.from, f), path.join(dir, link.name, f));
  }
  return dir;
}

/** One answered `describe` on a fresh connection; false when nothing listens yet. */
function describeOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('{"type":"describe"}\n'));
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

export interface Probe {
  readonly child: ChildProcess;
  readonly port: number;
  /** Milliseconds from spawn to the first answered `describe`. */
  readonly describeMs: number;
  stop(): Promise<void>;
}

/** Starts the daemon with `config` (provider, mDNS, state dir and logs filled in) and waits for `describe`. */
export async function startProbe(config: Record<string, unknown>): Promise<Probe> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-bench-'));
  const port = await freePort();
  const file = path.join(dir, 'satellite.yml');
  const full = {
    state_dir: path.join(dir, 'state'),
    log: { level: 'warn', format: 'json' },
    mdns: { enabled: false },
    models: { auto_pull: false },
    ...config,
    provider: { host: '127.0.0.1', port, ...(config['provider'] as object | undefined) },
  };
  writeFileSync(file, stringify(full));
  const started = performance.now();
  // SATELLITE_* variables are config overrides: the bench's own (e.g. the shared models path) are not the daemon's
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SATELLITE_')));
  const child = spawn(process.execPath, [CLI_PATH, 'run', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  while (!(await describeOnce(port))) {
    if (child.exitCode !== null || performance.now() - started > START_TIMEOUT_MS) {
      await stop();
      throw new Error(`daemon did not answer describe: ${stderr.slice(-500)}`);
    }
    await sleep(DESCRIBE_POLL_MS);
  }
  return { child, port, describeMs: performance.now() - started, stop };
}

export function threadCount(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

/** Time until a bare `node -e 0` exits: what any Node program pays before its first line. */
export async function bareNodeMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

export const round = (v: number, digits = 1): number => Number(v.toFixed(digits));
