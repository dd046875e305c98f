/**
 * Streams one URL to a temporary file, computing SHA-256 and size as bytes arrive. A transfer
 * that breaks off resumes with an HTTP Range request (also across runs: the partial file is
 * re-hashed first), failed attempts are retried with exponential backoff, and the result must
 * match one of the accepted pins (or, with none, is reported for trust-on-first-use). A publisher
 * that cannot be reached at all (no network, name not found, connection refused) is not retried
 * here: the caller decides whether to wait for the network (the daemon) or say so now (the CLI).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, errorMessage, SatelliteError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Pin } from './catalogue-schema.js';
import { hashInto } from './hash.js';
import { DownloadError, httpGet, type HttpGetOptions, type HttpResponse } from './http-get.js';
import { silentProgress, type ProgressReporter } from './progress.js';

export const DEFAULT_RETRIES = 4;
export const DEFAULT_RETRY_BASE_MS = 1000;
export const MAX_RETRY_DELAY_MS = 30_000;
/** Client errors that no retry can fix. */
const FATAL_STATUSES = new Set([400, 401, 403, 404, 410, 451]);

export interface DownloadSpec {
  url: string;
  /** Temporary file inside models_dir; kept between attempts (and runs) for resuming. */
  dest: string;
  /** Accepted digests; empty = accept anything and report it (TOFU). */
  pins: readonly Pin[];
  label: string;
}

export interface DownloadOptions extends Omit<HttpGetOptions, 'headers'> {
  headers?: Record<string, string>;
  /** Extra headers for a given URL (credentials for one host only). */
  headersFor?: (url: string) => Record<string, string>;
  retries?: number;
  retryBaseMs?: number;
  progress?: ProgressReporter;
  log?: Logger;
}

export interface DownloadResult {
  sha256: string;
  size: number;
  /** Final URL after redirects. */
  url: string;
  /** Attempts made (1 = no retry). */
  attempts: number;
  /** Range requests the server answered with 206. */
  resumed: number;
}

interface Partial {
  hash: Hash;
  have: number;
}

export async function downloadFile(spec: DownloadSpec, options: DownloadOptions): Promise<DownloadResult> {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const baseDelay = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const maxSize = largestPinned(spec);
  const progress = options.progress ?? silentProgress;
  let state = await loadPartial(spec.dest, maxSize);
  let resumed = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    options.signal?.throwIfAborted();
    if (attempt > 0) {
      const delay = Math.min(MAX_RETRY_DELAY_MS, baseDelay * 2 ** (attempt - 1));
      // the reason without a stack: a retried failure is expected, and the last one is reported by the caller
      options.log?.info({ url: spec.url, attempt, delayMs: delay, code: errorCode(lastError), reason: errorMessage(lastError) }, 'download failed; retrying');
      await sleep(delay, undefined, { signal: options.signal });
      state = await loadPartial(spec.dest, maxSize);
    }
    try {
      const outcome = await attemptOnce(spec, state, options, progress);
      if (outcome.resumed) resumed++;
      const result = { sha256: state.hash.digest('hex'), size: state.have, url: outcome.url, attempts: attempt + 1, resumed };
      await checkPins(spec, result);
      return result;
    } catch (err) {
      if (options.signal?.aborted) throw err; // the partial file stays for a later resume
      if (!(err instanceof DownloadError) || !err.retryable) {
        await rm(spec.dest, { force: true });
        throw err;
      }
      if (err.code === 'SAT_ERR_MODEL_OFFLINE') throw err; // the partial file stays for a later resume
      lastError = err;
    }
  }
  // out of attempts: the partial file stays, so the next pull resumes where this one stopped
  throw lastError;
}

/** Picks up a partial file from an earlier attempt, or starts empty. */
async function loadPartial(dest: string, maxSize: number): Promise<Partial> {
  const hash = createHash('sha256');
  const info = await stat(dest).catch(() => null);
  if (!info || info.size === 0 || info.size > maxSize) {
    await rm(dest, { force: true });
    return { hash, have: 0 };
  }
  return { hash, have: await hashInto(hash, dest) };
}

async function attemptOnce(
  spec: DownloadSpec,
  state: Partial,
  options: DownloadOptions,
  progress: ProgressReporter,
): Promise<{ url: string; resumed: boolean }> {
  const headers: Record<string, string> = { ...options.headers, ...options.headersFor?.(spec.url) };
  if (state.have > 0) headers['range'] = `bytes=${state.have}-`;
  const res = await httpGet(spec.url, { env: options.env, timeoutMs: options.timeoutMs, signal: options.signal, ca: options.ca, headers });
  const resumed = res.status === 206;
  if (res.status === 416 && state.have > 0) {
    res.body.resume();
    // the partial file is stale or already complete; start over next attempt
    await rm(spec.dest, { force: true });
    throw new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `server refused to resume ${spec.url} (HTTP 416)`, true, 416);
  }
  if (res.status !== 200 && !resumed) throw statusError(res, spec.url);
  if (resumed && rangeStart(res) !== state.have) {
    res.body.resume();
    await rm(spec.dest, { force: true });
    throw new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `server resumed ${spec.url} at the wrong offset`, true, 206);
  }
  if (!resumed && state.have > 0) {
    // the server ignored Range: the body is the whole file again
    state.have = 0;
    state.hash = createHash('sha256');
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? state.have + length : spec.pins[0]?.size;
  progress.start(spec.label, total, state.have);
  let ok = false;
  try {
    await writeBody(res, spec, state, progress);
    if (Number.isFinite(length) && state.have !== total) {
      throw new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `connection to ${new URL(res.url).host} ended early`, true);
    }
    ok = true;
    return { url: res.url, resumed };
  } finally {
    progress.end(ok);
  }
}

/** Write first, then hash: the digest always matches the bytes actually on disk. */
async function writeBody(res: HttpResponse, spec: DownloadSpec, state: Partial, progress: ProgressReporter): Promise<void> {
  const maxSize = largestPinned(spec);
  const file = await open(spec.dest, state.have > 0 ? 'a' : 'w');
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      await file.write(buf);
      state.hash.update(buf);
      state.have += buf.length;
      progress.update(state.have);
      if (state.have > maxSize) {
        res.body.destroy();
        throw new DownloadError('SAT_ERR_MODEL_SIZE_MISMATCH', `${spec.url} is larger than the catalogue's ${maxSize} bytes: upstream changed`, false);
      }
    }
  } catch (err) {
    throw err instanceof DownloadError
      ? err
      : new DownloadError('SAT_ERR_MODEL_DOWNLOAD', `transfer of ${spec.url} broke off: ${(err as Error).message}`, true, undefined, { cause: err });
  } finally {
    await file.close();
  }
}

/** No accepted digest is larger than this: a bigger body means upstream changed. */
function largestPinned(spec: DownloadSpec): number {
  return spec.pins.length ? Math.max(...spec.pins.map((p) => p.size)) : Infinity;
}

function rangeStart(res: HttpResponse): number {
  const match = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
  return match ? Number(match[1]) : -1;
}

function statusError(res: HttpResponse, url: string): DownloadError {
  res.body.resume();
  const status = res.status;
  if (status === 404 || status === 410) {
    return new DownloadError('SAT_ERR_MODEL_DOWNLOAD_NOT_FOUND', `not found (HTTP ${status}): ${url}; the mirror lacks this file or the catalogue URL is out of date`, false, status);
  }
  const fatal = FATAL_STATUSES.has(status);
  return new DownloadError('SAT_ERR_MODEL_DOWNLOAD_HTTP', `HTTP ${status} from ${url}`, !fatal, status);
}

async function checkPins(spec: DownloadSpec, got: { sha256: string; size: number }): Promise<void> {
  if (!spec.pins.length) return;
  if (spec.pins.some((p) => p.sha256 === got.sha256 && p.size === got.size)) return;
  await rm(spec.dest, { force: true });
  const expected = spec.pins.map((p) => `${p.sha256} (${p.size} B)`).join(' or ');
  throw new SatelliteError(
    'SAT_ERR_MODEL_HASH_MISMATCH',
    `upstream changed: ${spec.label} from ${spec.url} has sha256 ${got.sha256} (${got.size} B), expected ${expected}; nothing was installed`,
  );
}
