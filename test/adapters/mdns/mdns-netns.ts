/**
 * A private network namespace with a veth pair (design.md §5), so multicast never leaves the
 * machine, and the python-zeroconf browser running inside it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { hasCommand, isRoot, REPO_ROOT } from '../../helpers/system.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';
export const BROWSER_SCRIPT = path.join(REPO_ROOT, 'test', 'adapters', 'mdns', 'mdns-browser.py');
const BROWSE_TIMEOUT_MS = 20_000;

export interface Netns {
  name: string;
  /** Daemon side of the veth pair, and its address. */
  v0: string;
  v0Address: string;
  v1: string;
  v1Address: string;
  exec(args: string[]): void;
  remove(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

/** Why a namespace cannot be made here, or null when it can. */
export function netnsUnavailable(): string | null {
  if (!isRoot()) return 'network namespaces need root';
  if (!hasCommand('ip')) return 'iproute2 (ip) is not installed';
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing`;
  if (spawnSync(SYSTEM_PYTHON, ['-c', 'import zeroconf']).status !== 0) return 'python3-zeroconf is not installed for /usr/bin/python3';
  const probe = `satprobe${process.pid % 100000}`;
  const made = spawnSync('ip', ['netns', 'add', probe]);
  if (made.status !== 0) return `cannot create network namespaces: ${made.stderr.toString().trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

/** Creates NS with v0 and v1 inside, both up with multicast, and 224/4 routed via v0. */
export function createNetns(tag: string): Netns {
  const id = `${tag}${process.pid % 100000}`;
  const ns: Netns = {
    name: `sat-${id}`,
    v0: `${id}a`.slice(0, 15),
    v1: `${id}b`.slice(0, 15),
    v0Address: '10.231.7.1',
    v1Address: '10.231.7.2',
    exec: (args) => ip(['-n', ns.name, ...args]),
    remove: () => {
      spawnSync('ip', ['netns', 'del', ns.name]);
      spawnSync('ip', ['link', 'del', ns.v0], { stdio: 'ignore' });
    },
  };
  ns.remove(); // left over from a crashed run with the same pid
  try {
    ip(['netns', 'add', ns.name]);
    ip(['link', 'add', ns.v0, 'type', 'veth', 'peer', 'name', ns.v1, 'netns', ns.name]);
    ip(['link', 'set', ns.v0, 'netns', ns.name]);
    ns.exec(['link', 'set', 'lo', 'up']);
    ns.exec(['link', 'set', ns.v0, 'up', 'multicast', 'on']);
    ns.exec(['link', 'set', ns.v1, 'up', 'multicast', 'on']);
    ns.exec(['addr', 'add', `${ns.v0Address}/24`, 'dev', ns.v0]);
    ns.exec(['addr', 'add', `${ns.v1Address}/24`, 'dev', ns.v1]);
    ns.exec(['route', 'add', '224.0.0.0/4', 'dev', ns.v0]);
  } catch (err) {
    ns.remove();
    throw err;
  }
  return ns;
}

export interface BrowseEvent {
  event: 'ready' | 'up' | 'down';
  name?: string;
  port?: number;
  server?: string;
  addresses?: string[];
}

/** python-zeroconf browsing _wyoming._tcp.local. inside the namespace. */
export class ZeroconfBrowser {
  readonly events: BrowseEvent[] = [];
  readonly stderr: string[] = [];
  #buffer = '';
  #waiters: Array<() => void> = [];
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        this.events.push(JSON.parse(this.#buffer.slice(0, nl)) as BrowseEvent);
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#wake();
    });
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    child.once('exit', () => this.#wake());
  }

  static async start(ns: Netns): Promise<ZeroconfBrowser> {
    const child = spawn('ip', ['netns', 'exec', ns.name, SYSTEM_PYTHON, BROWSER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const browser = new ZeroconfBrowser(child);
    await browser.waitFor((e) => e.event === 'ready');
    return browser;
  }

  async waitFor(predicate: (e: BrowseEvent) => boolean, timeoutMs = BROWSE_TIMEOUT_MS): Promise<BrowseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(`zeroconf browser did not report the expected event; saw ${JSON.stringify(this.events)} ${this.stderr.join('')}`);
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

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
