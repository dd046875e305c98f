/**
 * RFC 6762 §8/§9 probing logic (pure functions): which names another responder already holds,
 * the simplified simultaneous-probe tie-break, and the next name to try after a conflict.
 */
import { truncateUtf8, MAX_INSTANCE_BYTES } from './mdns-identity.js';
import type { MdnsRecord } from './mdns-records.js';

/** RFC 6762 §8.1: three probes 250 ms apart, after a random 0–250 ms delay. */
export const PROBE_COUNT = 3;
export const PROBE_INTERVAL_MS = 250;
/** RFC 6762 §8.2: the loser of a simultaneous probe waits one second and probes again. */
export const PROBE_DEFER_MS = 1000;
/** After this many renames in one start the names are announced as they are (and a warning logged). */
export const MAX_PROBE_RENAMES = 15;
/** A DNS label (the host name before `.local`) is at most 63 bytes. */
const MAX_LABEL_BYTES = 63;

/** A record as decoded off the wire by dns-packet (data shapes vary with the type). */
export interface WireRecord {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

export function normalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function dataKey(type: string, data: unknown): string {
  if (type === 'SRV' && data && typeof data === 'object') {
    const d = data as { priority?: number; weight?: number; port?: number; target?: string };
    return `${d.priority ?? 0} ${d.weight ?? 0} ${d.port ?? 0} ${normalName(d.target ?? '')}`;
  }
  if (type === 'TXT') {
    const parts = Array.isArray(data) ? data : [data];
    return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p ?? ''))).join('\u0000');
  }
  if (typeof data === 'string') return type === 'PTR' ? normalName(data) : data.toLowerCase();
  return Buffer.isBuffer(data) ? data.toString('hex') : JSON.stringify(data ?? null);
}

/** Type and data of a record in one comparable string (the name is compared apart). */
export function recordKey(r: WireRecord): string {
  return `${r.type} ${dataKey(r.type, r.data)}`;
}

/**
 * Names among `probing` that another responder claims in `seen`: a live record with that name
 * whose type and data match none of our proposed records. A record identical to ours (e.g. a
 * second daemon on the same host announcing the same address for a shared host name) is no claim.
 */
export function conflictingNames(seen: readonly WireRecord[], proposed: readonly MdnsRecord[], probing: ReadonlySet<string>): Set<string> {
  const ours = new Set(proposed.map((r) => `${normalName(r.name)} ${recordKey(r)}`));
  const out = new Set<string>();
  for (const r of seen) {
    const name = normalName(r.name ?? '');
    if (!probing.has(name) || r.ttl === 0 || r.type === 'NSEC' || r.type === 'OPT') continue;
    if (!ours.has(`${name} ${recordKey(r)}`)) out.add(name);
  }
  return out;
}

/**
 * Simultaneous-probe tie-break, simplified from RFC 6762 §8.2.1: each side's records for the name
 * are compared as sorted `type data` strings rather than raw rdata bytes. It is still a total
 * order both sides compute alike, so exactly one of them defers. Negative when ours is earlier
 * (we lose), 0 when identical (e.g. our own probe looped back), positive when we win.
 */
export function compareProposals(ours: readonly WireRecord[], theirs: readonly WireRecord[]): number {
  const a = ours.map(recordKey).sort();
  const b = theirs.map(recordKey).sort();
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

/** Names of our proposal that we lose a simultaneous probe for, given another host's probe authorities. */
export function lostTieBreaks(theirAuthorities: readonly WireRecord[], proposed: readonly MdnsRecord[], probing: ReadonlySet<string>): Set<string> {
  const lost = new Set<string>();
  for (const name of probing) {
    const theirs = theirAuthorities.filter((r) => normalName(r.name ?? '') === name);
    if (theirs.length === 0) continue;
    const ours = proposed.filter((r) => normalName(r.name) === name);
    if (compareProposals(ours, theirs) < 0) lost.add(name);
  }
  return lost;
}

/** DNS-SD style rename (RFC 6763 §9): `Name (2)`, `Name (3)`, … within one 63-byte label. */
export function renamedInstance(base: string, attempt: number): string {
  const suffix = ` (${attempt})`;
  return truncateUtf8(base, MAX_INSTANCE_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/** Host rename: `label-2`, `label-3`, … within one 63-byte label. */
export function renamedHostLabel(base: string, attempt: number): string {
  const suffix = `-${attempt}`;
  return truncateUtf8(base, MAX_LABEL_BYTES - suffix.length) + suffix;
}
