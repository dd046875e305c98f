import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type os from 'node:os';
import { defaultHostLabel, displayName, instanceName, machineShortId, MAX_INSTANCE_BYTES, slugify } from '../../../src/adapters/mdns/mdns-identity.js';
import { satelliteInfo, satelliteName } from '../../../src/adapters/satellite/satellite-info.js';
import { mqttIdentity } from '../../../src/adapters/mqtt/topics.js';
import { mqttDeviceIdentity } from '../../../src/wiring/mqtt.js';
import { announcedAddresses, isRoutableIPv4, isRoutableIPv6 } from '../../../src/adapters/mdns/mdns-addresses.js';

function iface(address: string, family: 'IPv4' | 'IPv6', mac = '02:42:ac:11:00:02', internal = false): os.NetworkInterfaceInfo {
  return { address, family, mac, internal, netmask: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) } as os.NetworkInterfaceInfo;
}

test('the machine id gives the same short id on every start', () => {
  const first = machineShortId();
  assert.match(first, /^[0-9a-f]{12}$/);
  assert.equal(machineShortId(), first);
  if (existsSync('/etc/machine-id')) assert.equal(first, readFileSync('/etc/machine-id', 'utf8').trim().slice(0, 12));
});

test('without a machine id the first real MAC is used, sorted by interface name', () => {
  const id = machineShortId({
    readMachineId: () => null,
    interfaces: () => ({ lo: [iface('127.0.0.1', 'IPv4', '00:00:00:00:00:00', true)], wlan0: [iface('10.0.0.2', 'IPv4', 'b8:27:eb:00:00:02')], eth0: [iface('10.0.0.3', 'IPv4', 'B8:27:EB:00:00:01')] }),
  });
  assert.equal(id, 'b827eb000001');
});

test('provider and satellite get distinct instance names from the configured name, else the machine id', () => {
  assert.equal(instanceName('Kitchen', 'abc', 'provider'), 'Kitchen-provider');
  assert.equal(instanceName('Kitchen', 'abc', 'satellite'), 'Kitchen-satellite');
  assert.equal(instanceName('living.room', 'abc', 'satellite'), 'living-room-satellite');
  assert.equal(instanceName(null, '0123456789ab', 'provider'), '0123456789ab-provider');
  const long = instanceName('ü'.repeat(60), 'abc', 'satellite');
  assert.ok(Buffer.byteLength(long) <= MAX_INSTANCE_BYTES);
  assert.ok(long.endsWith('-satellite'));
});

test('the default host label is the host name plus -wyoming, safe for DNS', () => {
  assert.equal(defaultHostLabel('Pi_Kitchen.lan', 'abc'), 'pi-kitchen-wyoming');
  assert.equal(defaultHostLabel('___', '0123456789ab'), 'satellite-0123456789ab-wyoming');
  assert.equal(slugify('Küche Nord!', '_'), 'kuche_nord');
});

test('loopback, link-local, unspecified and multicast addresses are never announced', () => {
  assert.equal(isRoutableIPv4('192.168.1.20'), true);
  for (const a of ['127.0.0.1', '0.0.0.0', '169.254.3.4', '224.0.0.251', 'nonsense']) assert.equal(isRoutableIPv4(a), false, a);
  assert.equal(isRoutableIPv6('2001:db8::5'), true);
  assert.equal(isRoutableIPv6('fd00::1'), true);
  for (const a of ['::1', '::', 'fe80::1', 'FE80::abcd%eth0', 'ff02::fb', '::ffff:127.0.0.1']) assert.equal(isRoutableIPv6(a), false, a);
});

test('announced addresses honour the interface list and the IPv6 switch', () => {
  const all = {
    lo: [iface('127.0.0.1', 'IPv4', '00:00:00:00:00:00', true), iface('::1', 'IPv6', '00:00:00:00:00:00', true)],
    eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::20', 'IPv6')],
    docker0: [iface('172.17.0.1', 'IPv4')],
  };
  assert.deepEqual(
    announcedAddresses(all, { interfaces: [], ipv6: true }).map((a) => a.address),
    ['172.17.0.1', '192.168.1.20', '2001:db8::20'],
  );
  assert.deepEqual(announcedAddresses(all, { interfaces: ['eth0'], ipv6: false }).map((a) => a.address), ['192.168.1.20']);
});

test('the display name is the configured name, else the host name, else speech-satellite-<machine id>', () => {
  const shortId = () => '0123456789ab';
  assert.equal(displayName(' Kitchen ', { hostname: () => 'pi', shortId }), 'Kitchen');
  assert.equal(displayName(null, { hostname: () => 'kitchen-pi.lan', shortId }), 'kitchen-pi');
  assert.equal(displayName(null, { hostname: () => 'localhost', shortId }), 'speech-satellite-0123456789ab');
  assert.equal(displayName(null, { hostname: () => '', shortId }), 'speech-satellite-0123456789ab');
});

test('with no name configured, the satellite info, the mDNS instances and the MQTT device all show one derived name', () => {
  const shortId = machineShortId();
  const config = { name: null, satellite: { name: null } };
  const name = displayName(null);
  assert.ok(name.length > 0);
  // The satellite's info name: HA's satellite device name and its config entry's title (data.py get_name).
  const info = satelliteInfo({
    name: satelliteName(config),
    area: null,
    description: 'd',
    version: '1',
    hasVad: false,
    wakeModels: [],
    activeWakeWords: [],
    mic: { format: { rate: 16000, width: 2, channels: 1 }, problem: null },
    speaker: null,
  });
  assert.equal(info.satellite?.name, name);
  // The mDNS instances, as wiring/mdns.ts names them.
  for (const endpoint of ['provider', 'satellite']) assert.equal(instanceName(name, shortId, endpoint), `${name.replaceAll('.', '-')}-${endpoint}`);
  // The MQTT device, as wiring/mqtt.ts names it: the name changes, the ids HA keys on do not.
  const identity = mqttDeviceIdentity(null, shortId);
  assert.equal(identity.name, name);
  const before = mqttIdentity(null, shortId);
  assert.deepEqual([identity.deviceId, identity.objectBase], [before.deviceId, before.objectBase]);

  // A configured name is used everywhere as it is; satellite.name renames the satellite alone.
  assert.equal(satelliteName({ name: 'Kitchen', satellite: { name: null } }), 'Kitchen');
  assert.equal(mqttDeviceIdentity('Kitchen', shortId).name, 'Kitchen');
  assert.equal(instanceName(displayName('Kitchen'), shortId, 'satellite'), 'Kitchen-satellite');
  assert.equal(satelliteName({ name: 'Kitchen', satellite: { name: 'Kitchen speaker' } }), 'Kitchen speaker');
});
