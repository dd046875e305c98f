/**
 * mDNS end to end: the real daemon and python-zeroconf (what Home Assistant uses) inside a private
 * network namespace with a veth pair, so no multicast reaches the host's interfaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { need } from '../../helpers/system.js';
import { DaemonProcess } from '../../helpers/daemon-process.js';
import { makeFileDevices, silence } from '../audio/alsa-file-devices.js';
import { haveSatelliteParts, satelliteConfig } from '../satellite/wyoming-satellite-fixtures.js';
import { createNetns, netnsUnavailable, SYSTEM_PYTHON, ZeroconfBrowser, type BrowseEvent } from './mdns-netns.js';

const SERVICE_SUFFIX = '._wyoming._tcp.local.';

/** Sends a Wyoming `describe` from inside the namespace and returns the reply's type. */
function describeFromNamespace(ns: string, host: string, port: number): string {
  const script = [
    'import socket, json, sys',
    `s = socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=5)`,
    's.sendall(b\'{"type": "describe"}\\n\')',
    'f = s.makefile("rb")',
    'print(json.loads(f.readline())["type"])',
  ].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', ns, SYSTEM_PYTHON, '-c', script], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.trim() || r.stderr.trim();
}

test('both Wyoming endpoints are announced on LAN addresses, follow address changes and are withdrawn on SIGTERM', async (t) => {
  const why = netnsUnavailable();
  if (!need(t, why === null, why ?? '')) return;
  if (!need(t, haveSatelliteParts(), 'alsa-utils and the shared openWakeWord models are needed for the satellite endpoint')) return;
  const devices = makeFileDevices(silence(1), { mic: 'mdnsmic', speaker: 'mdnsspk' });
  const ns = createNetns('md');
  let browser: ZeroconfBrowser | undefined;
  let daemon: DaemonProcess | undefined;
  t.after(async () => {
    await daemon?.stop('SIGKILL');
    await browser?.close();
    ns.remove();
    devices.cleanup();
  });

  const zc = await ZeroconfBrowser.start(ns);
  browser = zc;
  daemon = DaemonProcess.start({
    prefix: ['ip', 'netns', 'exec', ns.name],
    config: {
      ...satelliteConfig(devices),
      name: 'Kitchen.Test',
      provider: { enabled: true, host: '0.0.0.0', port: 0 },
      satellite: { ...(satelliteConfig(devices)['satellite'] as object), host: '0.0.0.0', port: 0 },
      mdns: { enabled: true, interfaces: [ns.v0], address_check_s: 1 },
      models: { auto_pull: false },
    },
  });
  const ports = await daemon.ports();
  assert.ok(ports['provider'] && ports['satellite'], 'both endpoints listening');
  const expected: Record<string, number> = { 'Kitchen-Test-provider': ports['provider']!, 'Kitchen-Test-satellite': ports['satellite']! };

  const resolved = new Map<string, BrowseEvent>();
  for (const [instance, port] of Object.entries(expected)) {
    const up = await zc.waitFor((e) => e.event === 'up' && e.name === instance + SERVICE_SUFFIX);
    assert.equal(up.port, port, `${instance} SRV carries the endpoint's port`);
    assert.match(up.server ?? '', /\.local\.$/, 'SRV target is a .local host name');
    assert.deepEqual(up.addresses, [ns.v0Address], 'only the selected interface’s LAN address (no loopback, link-local or v1)');
    assert.equal(describeFromNamespace(ns.name, up.addresses![0]!, port), 'info', `${instance} answers describe at the announced address`);
    resolved.set(instance, up);
  }
  const servers = new Set([...resolved.values()].map((e) => e.server));
  assert.equal(servers.size, 1, 'both instances point at one host name');

  // A new address on the interface is announced without a restart.
  const added = '10.231.7.9';
  ns.exec(['addr', 'add', `${added}/24`, 'dev', ns.v0]);
  const moved = await zc.waitFor((e) => e.event === 'up' && e.name === 'Kitchen-Test-provider' + SERVICE_SUFFIX && (e.addresses ?? []).includes(added));
  assert.ok(moved.addresses?.includes(ns.v0Address));

  const exit = await daemon.stop('SIGTERM');
  assert.equal(exit.code, 0, 'clean exit on SIGTERM');
  for (const instance of Object.keys(expected)) {
    await zc.waitFor((e) => e.event === 'down' && e.name === instance + SERVICE_SUFFIX);
  }
});
