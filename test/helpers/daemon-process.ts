/**
 * The real daemon as a child process (`node <build>/src/cli.js run --config …`), for tests that
 * need signals, `kill -9` or a network namespace. Its JSON log lines are collected and awaitable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

/** The compiled CLI next to this compiled test file (dist/ or a private build folder). */
export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');
const WAIT_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export interface DaemonProcessOptions {
  /**
   * Config-file shaped object; state_dir defaults to a fresh temp folder, the provider to
   * 127.0.0.1 on a free port, mDNS to off and model auto-pull to off (set them to override).
   */
  config: Record<string, unknown>;
  /** Command run in front of node, e.g. ['ip', 'netns', 'exec', 'ns1']. */
  prefix?: string[];
  env?: NodeJS.ProcessEnv;
}

export class DaemonProcess {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: Array<() => void> = [];
  #buffer = '';

  private constructor(readonly child: ChildProcess) {
    const onData = (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.raw.push(line);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line (stderr text); kept in raw
        }
      }
      this.#wake();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.#wake();
      resolve({ code, signal });
    }));
  }

  static start(options: DaemonProcessOptions): DaemonProcess {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-proc-'));
    const given = options.config;
    // Safe unless a test says otherwise: loopback only, no multicast, no downloads.
    const config = {
      state_dir: path.join(dir, 'state'),
      log: { level: 'debug', format: 'json' },
      ...given,
      provider: { host: '127.0.0.1', port: 0, ...(given['provider'] as object | undefined) },
      mdns: { enabled: false, ...(given['mdns'] as object | undefined) },
      models: { auto_pull: false, ...(given['models'] as object | undefined) },
    };
    const file = path.join(dir, 'satellite.yml');
    writeFileSync(file, stringify(config));
    const argv = [...(options.prefix ?? []), process.execPath, CLI_PATH, 'run', '--config', file];
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new DaemonProcess(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = WAIT_TIMEOUT_MS): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || !this.running) {
        throw new Error(`daemon log line not seen (${this.running ? 'timeout' : 'daemon exited'}); last lines:\n${this.raw.slice(-15).join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The bound endpoints from the `ready` line: { provider: port, satellite?: port }. */
  async ports(): Promise<Record<string, number>> {
    const ready = await this.waitForLog((l) => l.msg === 'ready');
    const out: Record<string, number> = {};
    for (const [name, address] of Object.entries((ready['endpoints'] ?? {}) as Record<string, string>)) {
      out[name] = Number(address.slice(address.lastIndexOf(':') + 1));
    }
    return out;
  }

  /** Sends a signal and waits for the exit (SIGKILL after a bound). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
