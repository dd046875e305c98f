/**
 * Who gets a connection slot on a Wyoming endpoint. Any LAN device may connect, so slots are
 * bounded in total and per remote address; when a bound is reached, the newcomer is admitted by
 * closing the connection that costs least to lose: first one stalled half-way through a frame
 * (the slow-peer pattern), else the one idle longest with no request in flight. Only when every
 * connection is working is the newcomer refused. Pure logic: the server feeds it snapshots.
 */

/** A frame half-received for this long counts as stalled (a healthy peer finishes one in milliseconds). */
export const STALLED_FRAME_MS = 1_000;

export interface SlotView {
  readonly id: number;
  readonly peer: string;
  /** A request is in flight (or events wait for the handler): never evicted. */
  readonly busy: boolean;
  /** When the first byte of the current unfinished frame arrived; undefined between frames. */
  readonly frameStartedAt: number | undefined;
  /** When the connection last received anything. */
  readonly lastActivity: number;
}

export interface AdmissionLimits {
  maxConnections: number;
  maxPerPeer: number;
}

export type Admission =
  | { kind: 'admit' }
  | { kind: 'evict'; victim: number; reason: 'stalled' | 'idle' }
  | { kind: 'refuse'; reason: 'endpoint-full' | 'peer-full' };

/** Decides for a newcomer from `peer`, given the connections open now. */
export function admit(open: readonly SlotView[], peer: string, limits: AdmissionLimits, now: number): Admission {
  const samePeer = open.filter((c) => c.peer === peer);
  if (samePeer.length >= limits.maxPerPeer) {
    // A peer at its own limit may only displace its own connections.
    const victim = pickVictim(samePeer, now);
    return victim ? { kind: 'evict', ...victim } : { kind: 'refuse', reason: 'peer-full' };
  }
  if (open.length >= limits.maxConnections) {
    const victim = pickVictim(open, now);
    return victim ? { kind: 'evict', ...victim } : { kind: 'refuse', reason: 'endpoint-full' };
  }
  return { kind: 'admit' };
}

function pickVictim(candidates: readonly SlotView[], now: number): { victim: number; reason: 'stalled' | 'idle' } | undefined {
  const stalled = candidates
    .filter((c) => c.frameStartedAt !== undefined && now - c.frameStartedAt >= STALLED_FRAME_MS)
    .sort((a, b) => a.frameStartedAt! - b.frameStartedAt!);
  if (stalled[0]) return { victim: stalled[0].id, reason: 'stalled' };
  const idle = candidates.filter((c) => !c.busy && c.frameStartedAt === undefined).sort((a, b) => a.lastActivity - b.lastActivity);
  if (idle[0]) return { victim: idle[0].id, reason: 'idle' };
  return undefined;
}
