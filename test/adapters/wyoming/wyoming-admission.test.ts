import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, STALLED_FRAME_MS, type SlotView } from '../../../src/adapters/wyoming/wyoming-admission.js';

const NOW = 100_000;
const slot = (id: number, peer: string, extra: Partial<SlotView> = {}): SlotView => ({ id, peer, busy: false, frameStartedAt: undefined, lastActivity: NOW - 1_000 * id, ...extra });
const LIMITS = { maxConnections: 3, maxPerPeer: 2 };

test('a newcomer is admitted while there is room in all and for its address', () => {
  assert.deepEqual(admit([slot(1, 'a'), slot(2, 'b')], 'c', LIMITS, NOW), { kind: 'admit' });
});

test('when full, a connection stalled half-way through a frame goes first, the longest stalled of them', () => {
  const open = [
    slot(1, 'a', { busy: true }),
    slot(2, 'b', { frameStartedAt: NOW - STALLED_FRAME_MS - 10 }),
    slot(3, 'c', { frameStartedAt: NOW - STALLED_FRAME_MS - 500, busy: true }),
  ];
  assert.deepEqual(admit(open, 'd', LIMITS, NOW), { kind: 'evict', victim: 3, reason: 'stalled' });
});

test('a frame only just begun is not stalled; then the connection idle longest goes', () => {
  const open = [slot(1, 'a', { frameStartedAt: NOW - 10 }), slot(2, 'b'), slot(3, 'c')];
  assert.deepEqual(admit(open, 'd', LIMITS, NOW), { kind: 'evict', victim: 3, reason: 'idle' });
});

test('when every connection is working, the newcomer is refused', () => {
  const open = [slot(1, 'a', { busy: true }), slot(2, 'b', { busy: true }), slot(3, 'c', { busy: true, frameStartedAt: NOW - 10 })];
  assert.deepEqual(admit(open, 'd', LIMITS, NOW), { kind: 'refuse', reason: 'endpoint-full' });
});

test('an address at its own limit can only displace its own connections', () => {
  const busyOwn = [slot(1, 'a', { busy: true }), slot(2, 'a', { busy: true })];
  assert.deepEqual(admit(busyOwn, 'a', LIMITS, NOW), { kind: 'refuse', reason: 'peer-full' });
  const idleOwn = [slot(1, 'a', { busy: true }), slot(2, 'a'), slot(3, 'b')];
  assert.deepEqual(admit(idleOwn, 'a', LIMITS, NOW), { kind: 'evict', victim: 2, reason: 'idle' });
});
