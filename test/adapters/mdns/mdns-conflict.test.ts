/**
 * mDNS probing end to end: a python-zeroconf registration holds the instance name and the host
 * name first, then two daemons with the same configured name start one after the other, all in
 * a private network namespace. Each later one must pick a name nobody holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { need, REPO_ROOT } from '../../helpers/system.js';
import { DaemonProcess, type LogLine } from '../../helpers/daemon-process.js';
import { createNetns, netnsUnavailable, SYSTEM_PYTHON, ZeroconfBrowser, type Netns } from './mdns-netns.js';

const SERVICE_SUFFIX = '._wyoming._tcp.local.';
const REGISTER_SCRIPT = path.join(REPO_ROOT, 'test', 'adapters', 'mdns', 'mdns-register.py');
const REGISTER_TIMEOUT_MS = 10_000;
const PYTHON_PORT = 4444;

/** python-zeroconf claiming `instance` on `server` until closed. */
async function registerWithZeroconf(ns: Netns, instance: string, server: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns.name, SYSTEM_PYTHON, REGISTER_SCRIPT, instance, String(PYTHON_PORT), server, ns.v1Address], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zeroconf registration timed out: ${out}`)), REGISTER_TIMEOUT_MS);
    const done = (err?: Error) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('"registered"')) done();
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('exit', (code) => done(new Error(`zeroconf registration exited with ${code}: ${out}`)));
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return child;
}

async function closeChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function daemonIn(ns: Netns): DaemonProcess {
  return DaemonProcess.start({
    prefix: ['ip', 'netns', 'exec', ns.name],
    config: {
      name: 'Dup',
      provider: { enabled: true, host: '0.0.0.0', port: 0 },
      mdns: { enabled: true, interfaces: [ns.v0], host_name: 'dup-host' },
      models: { auto_pull: false },
    },
  });
}

const renamed = (from: string, to: string) => (l: LogLine) => l.level === 'warn' && l['from'] === from && l['to'] === to;

test('a name another responder holds is probed, renamed and announced under the new name, and both resolve with their own ports', async (t) => {
  const why = netnsUnavailable();
  if (!need(t, why === null, why ?? '')) return;
  const ns = createNetns('mc');
  let browser: ZeroconfBrowser | undefined;
  let registrar: ChildProcess | undefined;
  const daemons: DaemonProcess[] = [];
  t.after(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    await closeChild(registrar);
    await browser?.close();
    ns.remove();
  });

  const zc = await ZeroconfBrowser.start(ns);
  browser = zc;
  registrar = await registerWithZeroconf(ns, 'Dup-provider', 'dup-host.local.');

  const first = daemonIn(ns);
  daemons.push(first);
  const firstPort = (await first.ports())['provider'];
  assert.ok(firstPort, 'first daemon listening');
  await first.waitForLog(renamed('Dup-provider', 'Dup-provider (2)'));
  await first.waitForLog(renamed('dup-host.local', 'dup-host-2.local'));
  const firstUp = await zc.waitFor((e) => e.event === 'up' && e.name === `Dup-provider (2)${SERVICE_SUFFIX}`);
  assert.equal(firstUp.port, firstPort, 'the renamed instance carries the daemon’s port');
  assert.equal(firstUp.server, 'dup-host-2.local.', 'the SRV points at the renamed host');
  assert.deepEqual(firstUp.addresses, [ns.v0Address]);

  // A second daemon with the same name finds both the original and "(2)" taken; the host name it
  // shares with the first daemon carries the same address, which is no conflict.
  const second = daemonIn(ns);
  daemons.push(second);
  const secondPort = (await second.ports())['provider'];
  assert.ok(secondPort && secondPort !== firstPort, 'second daemon listening on its own port');
  await second.waitForLog(renamed('Dup-provider (2)', 'Dup-provider (3)'));
  const secondUp = await zc.waitFor((e) => e.event === 'up' && e.name === `Dup-provider (3)${SERVICE_SUFFIX}`);
  assert.equal(secondUp.port, secondPort);
  assert.equal(secondUp.server, 'dup-host-2.local.');
  assert.deepEqual(secondUp.addresses, [ns.v0Address]);

  const original = await zc.waitFor((e) => e.event === 'up' && e.name === `Dup-provider${SERVICE_SUFFIX}`);
  assert.equal(original.port, PYTHON_PORT, 'the first holder keeps its name and port');
  assert.deepEqual(original.addresses, [ns.v1Address]);
  // The first daemon kept "(2)": it answered the second one's probe instead of giving way.
  assert.equal(first.lines.filter((l) => l.level === 'warn' && l['to'] === 'Dup-provider (3)').length, 0);

  for (const d of daemons) assert.equal((await d.stop('SIGTERM')).code, 0, 'clean exit on SIGTERM');
  for (const name of ['Dup-provider (2)', 'Dup-provider (3)']) {
    await zc.waitFor((e) => e.event === 'down' && e.name === name + SERVICE_SUFFIX);
  }
});

test('two daemons started at once with the same name end up announcing two distinct names', async (t) => {
  const why = netnsUnavailable();
  if (!need(t, why === null, why ?? '')) return;
  const ns = createNetns('mt');
  let browser: ZeroconfBrowser | undefined;
  const daemons: DaemonProcess[] = [];
  t.after(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    await browser?.close();
    ns.remove();
  });

  const zc = await ZeroconfBrowser.start(ns);
  browser = zc;
  daemons.push(daemonIn(ns), daemonIn(ns));
  const ports = await Promise.all(daemons.map(async (d) => (await d.ports())['provider']));
  const announced = await Promise.all(daemons.map((d) => d.waitForLog((l) => l.msg === 'announcing Wyoming endpoints over mDNS')));
  const names = announced.map((l) => String((l['services'] as string[])[0]).replace(/:\d+$/, ''));
  assert.deepEqual([...names].sort(), ['Dup-provider', 'Dup-provider (2)'], 'one keeps the name, the other takes the next one');
  // The shared host name carries the same address from both, so neither renames it.
  assert.ok(announced.every((l) => l['host'] === 'dup-host.local'));
  const loser = names.indexOf('Dup-provider (2)');
  assert.ok(daemons[loser]!.lines.some(renamed('Dup-provider', 'Dup-provider (2)')), 'the rename is logged at warn');
  const overlapped = daemons.some((d) => d.lines.some((l) => l.msg === 'lost a simultaneous mDNS probe; probing again'));
  t.diagnostic(overlapped ? 'the probes overlapped; the tie-break decided' : 'the probes did not overlap; the answer to the later probe decided');
  for (const [i, name] of names.entries()) {
    const up = await zc.waitFor((e) => e.event === 'up' && e.name === name + SERVICE_SUFFIX);
    assert.equal(up.port, ports[i], `${name} resolves to its own daemon's port`);
  }
});
