/**
 * Download progress: a one-line bar (bytes, rate, ETA) redrawn in place on a terminal, periodic
 * log lines otherwise (journald, CI, the daemon's background pulls).
 */
import type { Logger } from '../util/logger.js';

export const BAR_REDRAW_MS = 200;
export const LOG_LINE_INTERVAL_MS = 10_000;
const BAR_WIDTH = 24;

export interface ProgressReporter {
  start(label: string, total: number | undefined, already: number): void;
  update(bytes: number): void;
  /** The current transfer ended (ok = verified and kept). */
  end(ok: boolean): void;
}

export const silentProgress: ProgressReporter = { start() {}, update() {}, end() {} };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

abstract class RateTracker implements ProgressReporter {
  protected label = '';
  protected total: number | undefined;
  protected bytes = 0;
  protected startedAt = 0;
  protected startBytes = 0;
  protected lastShown = 0;

  constructor(protected readonly now: () => number = Date.now) {}

  start(label: string, total: number | undefined, already: number): void {
    this.label = label;
    this.total = total;
    this.bytes = already;
    this.startBytes = already;
    this.startedAt = this.now();
    this.lastShown = 0;
  }

  update(bytes: number): void {
    this.bytes = bytes;
    const t = this.now();
    if (t - this.lastShown >= this.interval) {
      this.lastShown = t;
      this.show();
    }
  }

  abstract end(ok: boolean): void;
  protected abstract readonly interval: number;
  protected abstract show(): void;

  protected rate(): number {
    const seconds = (this.now() - this.startedAt) / 1000;
    return seconds > 0 ? (this.bytes - this.startBytes) / seconds : 0;
  }

  protected summary(): string {
    const rate = this.rate();
    const of = this.total ? ` / ${formatBytes(this.total)}` : '';
    const eta = this.total && rate > 0 ? formatEta((this.total - this.bytes) / rate) : '--:--';
    return `${formatBytes(this.bytes)}${of}  ${formatBytes(Math.round(rate))}/s  ETA ${eta}`;
  }
}

/** In-place bar on a TTY stream (stderr, so stdout stays clean for `list --json`). */
export class TtyProgress extends RateTracker {
  protected readonly interval = BAR_REDRAW_MS;

  constructor(
    private readonly out: NodeJS.WriteStream,
    now?: () => number,
  ) {
    super(now);
  }

  protected show(): void {
    const fraction = this.total ? Math.min(1, this.bytes / this.total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = this.total ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` : '';
    const columns = this.out.columns || 100;
    this.out.write(`\r${`${this.label} ${bar} ${this.summary()}`.slice(0, columns - 1)}\x1b[K`);
  }

  end(ok: boolean): void {
    this.show();
    this.out.write(ok ? '\n' : ' (failed)\n');
  }
}

/** A log line every LOG_LINE_INTERVAL_MS while a transfer runs. */
export class LogProgress extends RateTracker {
  protected readonly interval = LOG_LINE_INTERVAL_MS;

  constructor(
    private readonly log: Logger,
    now?: () => number,
  ) {
    super(now);
  }

  override start(label: string, total: number | undefined, already: number): void {
    super.start(label, total, already);
    this.lastShown = this.now();
    this.log.info({ file: label, total, resumeAt: already || undefined }, already ? 'resuming download' : 'downloading');
  }

  protected show(): void {
    this.log.info({ file: this.label, bytes: this.bytes, total: this.total }, `download progress ${this.summary()}`);
  }

  end(ok: boolean): void {
    if (ok) this.log.info({ file: this.label, bytes: this.bytes }, 'download complete');
  }
}

export function progressFor(stream: NodeJS.WriteStream, log: Logger): ProgressReporter {
  return stream.isTTY ? new TtyProgress(stream) : new LogProgress(log);
}
