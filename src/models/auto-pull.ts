/**
 * The daemon's background pull of missing models, which waits for the network instead of giving
 * up: a round pulls what is still wanted; when the publishers cannot be reached (no network yet,
 * a timeout, a transfer that keeps breaking off) the models stay wanted and the next round comes
 * after a capped, doubling wait, or at once when the machine's network addresses change (Wi-Fi
 * coming up after boot). One warning per outage, without a stack; a model that fails for good
 * (not found, upstream changed, no disk space) is reported once and given up, with its dependents.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { CatalogueEntry } from './catalogue-schema.js';
import { DownloadError } from './http-get.js';
import { describeFailure, type ModelManager, type PullReport } from './manager.js';

/** Codes meaning "the publisher (or mirror, or proxy) cannot be reached at all". */
export const NO_NETWORK_CODES: ReadonlySet<string> = new Set(['SAT_ERR_MODEL_OFFLINE', 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', 'SAT_ERR_MODEL_PROXY']);
/** Shortest wait between two rounds, whatever the config says (no busy loop with retry_base_ms 0). */
export const MIN_ROUND_DELAY_MS = 250;
/** Longest wait between two rounds. */
export const MAX_ROUND_DELAY_MS = 5 * 60_000;
/** How often the network addresses are compared while waiting (one getifaddrs call). */
export const NETWORK_POLL_MS = 5000;

export interface AutoPullOptions {
  manager: Pick<ModelManager, 'pull'>;
  /** What to install, in dependency order (ModelManager.plan). */
  entries: readonly CatalogueEntry[];
  log: Logger;
  signal: AbortSignal;
  /** Wait after the first failed round; doubles each round up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs?: number;
  /** The command a person can run instead, named in the warning. */
  command: string;
  /** Models given up for good; the others are still wanted. */
  onGivenUp?: (ids: string[]) => void;
  /** The machine's network addresses as one string (injected by tests). */
  networkSignature?: () => string;
  pollMs?: number;
}

export interface AutoPullResult {
  installed: string[];
  givenUp: string[];
}

/** A failure another round may get past: no network, a timeout, a broken transfer, a 5xx. */
export function isTransient(err: unknown): boolean {
  return NO_NETWORK_CODES.has(errorCode(err)) || (err instanceof DownloadError && err.retryable);
}

/** Pulls until every entry is installed or given up; rejects only when aborted (or on an unexpected error). */
export async function autoPull(options: AutoPullOptions): Promise<AutoPullResult> {
  const { log, signal } = options;
  const maxDelay = options.maxDelayMs ?? MAX_ROUND_DELAY_MS;
  const firstDelay = Math.min(maxDelay, Math.max(MIN_ROUND_DELAY_MS, options.firstDelayMs));
  const result: AutoPullResult = { installed: [], givenUp: [] };
  let wanted = [...options.entries];
  let delay = firstDelay;
  /** Set while the publishers cannot be reached: the first failure of this outage. */
  let outage: string | undefined;
  for (let round = 1; ; round++) {
    // no network for one model means none for the next: the round stops there
    const reports = await options.manager.pull(wanted, { signal, stopOn: (err) => NO_NETWORK_CODES.has(errorCode(err)) });
    const done = new Set(reports.filter((r) => r.outcome === 'installed' || r.outcome === 'present').map((r) => r.id));
    result.installed.push(...done);
    const dropped = givenUp(wanted, reports, log);
    if (dropped.length) {
      result.givenUp.push(...dropped);
      options.onGivenUp?.(dropped);
    }
    wanted = wanted.filter((e) => !done.has(e.id) && !dropped.includes(e.id));
    if (outage && (done.size > 0 || !wanted.length)) {
      log.info({ round }, 'model downloads go through again');
      outage = undefined;
      delay = firstDelay;
    }
    if (!wanted.length) break;
    const failure = reports.find((r) => r.outcome === 'failed' && isTransient(r.error))?.error;
    if (!failure) break; // nothing transient left to wait for (cannot happen: kept for safety)
    const fields = { code: errorCode(failure), reason: errorMessage(failure), models: wanted.map((e) => e.id), retryInS: Math.ceil(delay / 1000) };
    if (!outage) {
      outage = fields.reason;
      const what = NO_NETWORK_CODES.has(fields.code) ? 'no network: models cannot be downloaded now' : 'model downloads are failing';
      log.warn(
        fields,
        `${what} (${fields.reason}); serving with what is installed and retrying in the background, sooner when the network changes (or run \`${options.command}\`)`,
      );
    } else {
      log.debug({ ...fields, round }, 'model downloads still failing; retrying later');
    }
    const why = await waitForRetry(delay, { signal, pollMs: options.pollMs, signature: options.networkSignature });
    log.debug({ why, round: round + 1, models: fields.models }, 'retrying model downloads');
    delay = Math.min(maxDelay, delay * 2);
  }
  if (!result.givenUp.length) log.info('all missing models installed');
  return result;
}

/** Entries that failed for good this round, and the entries that need them; each logged once. */
function givenUp(wanted: readonly CatalogueEntry[], reports: readonly PullReport[], log: Logger): string[] {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const dropped = new Set<string>();
  for (const entry of wanted) {
    const report = byId.get(entry.id);
    const failedForGood = report?.outcome === 'failed' && !isTransient(report.error);
    const needsDropped = entry.requires.find((dep) => dropped.has(dep));
    if (!failedForGood && !needsDropped) continue;
    dropped.add(entry.id);
    const message = failedForGood ? describeFailure(report!) : `${entry.id} skipped: ${needsDropped} failed`;
    log.error({ model: entry.id, code: failedForGood ? errorCode(report!.error) : 'SAT_ERR_MODEL_SKIPPED' }, `model pull failed: ${message}`);
  }
  return [...dropped];
}

/**
 * Resolves after `delayMs`, or earlier when the machine's network addresses change; rejects when
 * `signal` aborts.
 */
export async function waitForRetry(
  delayMs: number,
  options: { signal?: AbortSignal; pollMs?: number | undefined; signature?: (() => string) | undefined } = {},
): Promise<'timer' | 'network-change'> {
  const signature = options.signature ?? networkSignature;
  const pollMs = options.pollMs ?? NETWORK_POLL_MS;
  const before = signature();
  const until = performance.now() + delayMs;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) return 'timer';
    await sleep(Math.min(pollMs, left), undefined, { signal: options.signal });
    if (signature() !== before) return 'network-change';
  }
}

/** The non-loopback addresses of every interface, sorted: changes when a link comes up or gets an address. */
export function networkSignature(): string {
  const out: string[] = [];
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    for (const a of addresses ?? []) if (!a.internal) out.push(`${name}/${a.address}`);
  }
  return out.sort().join(',');
}
