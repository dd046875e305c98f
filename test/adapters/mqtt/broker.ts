/**
 * A real mosquitto on a free port for tests (optionally requiring a password), restartable on the
 * same port, and an MQTT probe client that records every message it sees.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { hasCommand } from '../../helpers/system.js';

export const MOSQUITTO = ['mosquitto', '/usr/sbin/mosquitto'].find((c) => hasCommand(c)) ?? null;
const READY_TIMEOUT_MS = 10_000;
const WAIT_TIMEOUT_MS = 20_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mosquitto did not start listening');
}

export class Broker {
  #child: ChildProcess | undefined;
  readonly log: string[] = [];
  private constructor(
    readonly port: number,
    readonly confFile: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** `users` turns anonymous access off and requires one of these name/password pairs. */
  static async start(users?: Record<string, string>): Promise<Broker> {
    if (!MOSQUITTO) throw new Error('mosquitto is not installed');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-mosquitto-'));
    const port = await freePort();
    const lines = [`listener ${port} 127.0.0.1`, 'user root', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning'];
    if (users) {
      const passwordFile = path.join(dir, 'passwords');
      writeFileSync(passwordFile, '');
      for (const [user, password] of Object.entries(users)) {
        const r = spawnSync('mosquitto_passwd', ['-b', passwordFile, user, password], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      }
      lines.push('allow_anonymous false', `password_file ${passwordFile}`);
    } else {
      lines.push('allow_anonymous true');
    }
    const confFile = path.join(dir, 'mosquitto.conf');
    writeFileSync(confFile, lines.join('\n') + '\n');
    const broker = new Broker(port, confFile);
    await broker.resume();
    return broker;
  }

  /** Starts (again) on the same port. */
  async resume(): Promise<void> {
    const child = spawn(MOSQUITTO!, ['-c', this.confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => this.log.push(d.toString('utf8')));
    this.#child = child;
    await waitForPort(this.port, child);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export interface SeenMessage {
  topic: string;
  text: string;
  retain: boolean;
  at: number;
}

/** A subscriber that records everything on the given topic filters. */
export class MqttProbe {
  readonly messages: SeenMessage[] = [];
  #waiters: Array<() => void> = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    });
  }

  static async connect(url: string, filters: string[], options: mqtt.IClientOptions = {}): Promise<MqttProbe> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 5000, ...options });
    const probe = new MqttProbe(client);
    try {
      if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    } catch (err) {
      await client.endAsync(true);
      throw err;
    }
    return probe;
  }

  /** Index to pass as `from` so that only messages after now count. */
  mark(): number {
    return this.messages.length;
  }

  async waitFor(predicate: (m: SeenMessage) => boolean, from = 0, timeoutMs = WAIT_TIMEOUT_MS, what = 'a message'): Promise<SeenMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.messages.slice(from).map((m) => `${m.topic}${m.retain ? ' (r)' : ''}: ${m.text.slice(0, 80)}`);
        throw new Error(`timed out waiting for ${what}; saw:\n${seen.join('\n')}`);
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

  waitForText(topic: string, text: string, from = 0, timeoutMs?: number): Promise<SeenMessage> {
    return this.waitFor((m) => m.topic === topic && m.text === text, from, timeoutMs, `"${text}" on ${topic}`);
  }

  publish(topic: string, payload: string, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
