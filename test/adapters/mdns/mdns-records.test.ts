import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRecords, answerQuery, goodbye, WYOMING_SERVICE_TYPE } from '../../../src/adapters/mdns/mdns-records.js';

const host = 'kitchen-wyoming.local';
const services = [
  { instance: 'Kitchen-provider', port: 10300 },
  { instance: 'Kitchen-satellite', port: 10700 },
];
const addresses = [{ interface: 'eth0', family: 'IPv4' as const, address: '192.168.1.20' }];
const records = allRecords(services, host, addresses);

test('a browse question gets both instances with their SRV, TXT and the host address as additionals', () => {
  const answer = answerQuery([{ name: '_wyoming._tcp.local', type: 'PTR' }], records);
  assert.ok(answer);
  assert.deepEqual(answer.answers.map((r) => r.data).sort(), ['Kitchen-provider._wyoming._tcp.local', 'Kitchen-satellite._wyoming._tcp.local']);
  const srv = answer.additionals.filter((r) => r.type === 'SRV');
  assert.deepEqual(srv.map((r) => (r.data as { port: number }).port).sort(), [10300, 10700]);
  assert.ok(srv.every((r) => (r.data as { target: string }).target === host));
  assert.equal(answer.additionals.filter((r) => r.type === 'TXT').length, 2);
  assert.deepEqual(answer.additionals.filter((r) => r.type === 'A').map((r) => r.data), ['192.168.1.20']);
});

test('names match without regard to case or a trailing dot, and ANY returns every type', () => {
  const answer = answerQuery([{ name: 'kitchen-provider._WYOMING._tcp.local.', type: 'ANY' }], records);
  assert.deepEqual(answer?.answers.map((r) => r.type).sort(), ['SRV', 'TXT']);
  assert.deepEqual(answer?.additionals.map((r) => r.type), ['A']);
  assert.deepEqual(answerQuery([{ name: host, type: 'A' }], records)?.answers.map((r) => r.data), ['192.168.1.20']);
});

test('questions about other names get no answer', () => {
  assert.equal(answerQuery([{ name: '_http._tcp.local', type: 'PTR' }], records), null);
  assert.equal(answerQuery([{ name: host, type: 'AAAA' }], records), null);
});

test('service discovery meta-queries list the wyoming type', () => {
  const answer = answerQuery([{ name: '_services._dns-sd._udp.local', type: 'PTR' }], records);
  assert.deepEqual(answer?.answers.map((r) => r.data), [WYOMING_SERVICE_TYPE]);
});

test('a goodbye carries the same records with TTL 0 and unique records set the cache-flush bit', () => {
  const bye = goodbye(records);
  assert.equal(bye.length, records.length);
  assert.ok(bye.every((r) => r.ttl === 0));
  assert.ok(records.filter((r) => r.type !== 'PTR').every((r) => r.flush === true));
  assert.ok(records.filter((r) => r.type === 'PTR').every((r) => !r.flush));
});
