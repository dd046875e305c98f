import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_INSTANCE_BYTES } from '../../../src/adapters/mdns/mdns-identity.js';
import { allRecords } from '../../../src/adapters/mdns/mdns-records.js';
import { compareProposals, conflictingNames, lostTieBreaks, renamedHostLabel, renamedInstance, type WireRecord } from '../../../src/adapters/mdns/mdns-probe.js';

const host = 'kitchen-wyoming.local';
const fqdn = 'Kitchen-provider._wyoming._tcp.local';
const proposed = allRecords([{ instance: 'Kitchen-provider', port: 10300 }], host, [{ interface: 'eth0', family: 'IPv4', address: '192.168.1.20' }])
  .filter((r) => r.type !== 'PTR');
const probing = new Set([fqdn.toLowerCase(), host]);

/** SRV as dns-packet decodes it off the wire: trailing dots and any case. */
function srv(port: number, target = 'Kitchen-Wyoming.local.'): WireRecord {
  return { name: 'KITCHEN-provider._wyoming._tcp.local.', type: 'SRV', ttl: 120, data: { priority: 0, weight: 0, port, target } };
}

test('another responder answering with different data for a name being probed is a conflict', () => {
  assert.deepEqual([...conflictingNames([srv(4444)], proposed, probing)], [fqdn.toLowerCase()]);
  assert.deepEqual([...conflictingNames([{ name: host, type: 'A', ttl: 120, data: '192.168.1.99' }], proposed, probing)], [host]);
  assert.deepEqual([...conflictingNames([{ name: host, type: 'AAAA', ttl: 120, data: '2001:db8::1' }], proposed, probing)], [host]);
});

test('records identical to ours, goodbyes, NSEC and other names are not conflicts', () => {
  const seen: WireRecord[] = [
    srv(10300),
    { name: fqdn, type: 'TXT', ttl: 4500, data: [Buffer.alloc(0)] },
    { name: `${host}.`, type: 'A', ttl: 120, data: '192.168.1.20' },
    { ...srv(4444), ttl: 0 },
    { name: host, type: 'NSEC', ttl: 120, data: { nextDomain: host, rrtypes: ['A'] } },
    { name: 'Other-provider._wyoming._tcp.local', type: 'SRV', ttl: 120, data: { port: 1, target: 'x.local' } },
  ];
  assert.equal(conflictingNames(seen, proposed, probing).size, 0);
});

test('the simultaneous-probe tie-break is antisymmetric and identical proposals tie', () => {
  const ours = [srv(10300)];
  const theirs = [srv(4444)];
  const a = compareProposals(ours, theirs);
  assert.notEqual(a, 0);
  assert.equal(compareProposals(theirs, ours), -a);
  assert.equal(compareProposals(ours, [srv(10300, 'kitchen-wyoming.local')]), 0);
  assert.equal(compareProposals([...ours, { name: fqdn, type: 'TXT', data: [''] }], ours), 1, 'more records win when the rest is equal');
});

test('exactly one of two hosts probing the same name loses the tie-break, and our own looped-back probe never does', () => {
  const mine = allRecords([{ instance: 'Kitchen-provider', port: 10300 }], host, []).filter((r) => r.type !== 'PTR');
  const other = allRecords([{ instance: 'Kitchen-provider', port: 10301 }], host, []).filter((r) => r.type !== 'PTR');
  const iLose = lostTieBreaks(other, mine, probing).size > 0;
  const theyLose = lostTieBreaks(mine, other, probing).size > 0;
  assert.notEqual(iLose, theyLose);
  assert.equal(lostTieBreaks(mine, mine, probing).size, 0);
  assert.equal(lostTieBreaks([], mine, probing).size, 0);
});

test('renamed instances and hosts count up and stay within one DNS label', () => {
  assert.equal(renamedInstance('Kitchen-provider', 2), 'Kitchen-provider (2)');
  assert.equal(renamedInstance('Kitchen-provider', 13), 'Kitchen-provider (13)');
  const long = renamedInstance('ü'.repeat(40), 3);
  assert.ok(Buffer.byteLength(long) <= MAX_INSTANCE_BYTES);
  assert.ok(long.endsWith(' (3)'));
  assert.equal(renamedHostLabel('pi-wyoming', 2), 'pi-wyoming-2');
  const label = renamedHostLabel('a'.repeat(63), 12);
  assert.equal(label.length, 63);
  assert.ok(label.endsWith('-12'));
});
