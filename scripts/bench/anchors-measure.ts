/**
 * What every anchor comparison needs: free loopback ports, servers started as real processes and
 * waited for, CPU and RSS from /proc, min/median, and the "ours / anchor" row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { runCommand } from './anchors-venv.js';
import type { BenchResult } from './types.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

export const round = (v: number, digits = 3) => Number(v.toFixed(digits));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function min(values: number[]): number {
  return values.length ? Math.min(...values) : NaN;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when something accepts connections on the port (or rejects when the process exits). */
export async function waitForPort(port: number, child: ChildProcess | undefined, timeoutMs: number, log: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`server exited (${child.exitCode ?? child.signalCode}): ${log().slice(-400)}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms: ${log().slice(-400)}`);
}

/** A server process with its output tail kept for error messages. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** `env` is added to this process's environment, less the bench's own SATELLITE_BENCH_* settings. */
export async function startServer(command: string, args: string[], port: number, timeoutMs = 120_000, env?: NodeJS.ProcessEnv): Promise<ServerProcess> {
  // the daemon reads SATELLITE_* variables as config options: the bench's own must not reach it
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SATELLITE_BENCH_')));
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env } });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await waitForPort(port, child, timeoutMs, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, port, output: () => out, stop };
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in MB now. */
export function rssMb(pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return round((Number(statm[1]) * PAGE) / 1024 / 1024, 1);
}

/** Peak resident set size (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

export function minMedian(values: number[], unit = 'ms', digits = 1): string {
  return `min ${round(min(values), digits)} / median ${round(median(values), digits)} ${unit}`;
}

/**
 * Ours over the anchor's (lower is better for time, CPU and memory): the ratio of the minima is
 * the value, the ratio of the medians goes in the note. `target` is the most the ratio may be.
 */
export function ratioRow(name: string, ours: number[], anchor: number[], target: number, unit: string, extra = ''): BenchResult {
  const value = min(ours) / min(anchor);
  const med = median(ours) / median(anchor);
  return {
    name,
    value: round(value),
    unit: 'x',
    target: `≤ ${target}`,
    pass: value <= target,
    note: `ours ${minMedian(ours, unit)}; anchor ${minMedian(anchor, unit)}; median ratio ${round(med)}${missNote(value, target)}${extra ? `; ${extra}` : ''}`,
  };
}

/** A "higher is better" ratio (throughput): ours over the anchor's, at least `target`. */
export function speedupRow(name: string, ours: number[], anchor: number[], target: number, unit: string, extra = ''): BenchResult {
  const best = (v: number[]) => Math.max(...v);
  const value = best(ours) / best(anchor);
  const med = median(ours) / median(anchor);
  const miss = value >= target ? '' : `; misses by ${round(target / value)}x`;
  return {
    name,
    value: round(value),
    unit: 'x',
    target: `≥ ${target}`,
    pass: value >= target,
    note: `ours best ${round(best(ours), 0)} / median ${round(median(ours), 0)} ${unit}; anchor best ${round(best(anchor), 0)} / median ${round(median(anchor), 0)} ${unit}; median ratio ${round(med)}${miss}${extra ? `; ${extra}` : ''}`,
  };
}

function missNote(value: number, target: number): string {
  return value <= target ? '' : `; misses by ${round(value / target)}x`;
}

export function skippedRow(name: string, reason: string): BenchResult {
  return { name, value: NaN, unit: '', note: `skipped: ${reason}` };
}

/** SATELLITE_BENCH_QUICK=1: fewer repetitions, for a look rather than a figure. */
export function reps(full: number, quick = 3): number {
  return process.env['SATELLITE_BENCH_QUICK'] === '1' ? Math.min(full, quick) : full;
}

/** Runs a driver that prints one JSON line last; rejects with its output tail when it fails. */
export async function runCommandJson<T>(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<T> {
  const { code, out } = await runCommand(command, args, timeoutMs, env);
  const last = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (code !== 0 || !last) throw new Error(`${path.basename(args[0] ?? command)} failed (${code}): ${out.trim().slice(-400)}`);
  return JSON.parse(last) as T;
}
