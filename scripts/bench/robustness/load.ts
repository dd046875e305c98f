/** Many peers at once, each from its own loopback address: how many are answered, and how fast. */
import type { Outcome } from './requests.js';

export interface LoadResult {
  total: number;
  answered: number;
  p50Ms: number;
  p99Ms: number;
  /** Why the others failed, counted by reason. */
  failures: Record<string, number>;
}

/** Nearest-rank percentile of `values` (NaN when empty). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `count` peers 127.0.0.`firstPeer`… start `request` together. */
export async function concurrentLoad(count: number, firstPeer: number, request: (from: string, index: number) => Promise<Outcome>): Promise<LoadResult> {
  const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => request(`127.0.0.${firstPeer + i}`, i)));
  const answered = outcomes.filter((o) => o.ok);
  const failures: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) failures[o.detail ?? '?'] = (failures[o.detail ?? '?'] ?? 0) + 1;
  const ms = answered.map((o) => o.ms);
  return { total: count, answered: answered.length, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), failures };
}
