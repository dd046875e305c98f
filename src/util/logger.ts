/**
 * The pino root logger and one child per module. Where the lines go decides their form
 * (`log.format: auto`): human-readable on a terminal; under systemd, when stdout is the journal's
 * stream, one readable line per event with a `<N>` syslog priority prefix (journald stamps the time
 * and strips the prefix into the entry's priority); JSON lines anywhere else (a pipe to a log
 * shipper, a file). `json`, `pretty` and `journal` force one form; JSON going to the journal still
 * gets the priority prefix. Secrets are redacted: secret-named fields, and the password of any URL
 * with user info anywhere in a line. No other file imports pino.
 */
import { fstatSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';
import { formatJournal, formatPretty, journalPrefix } from './log-format.js';
import { redactUrlPasswords } from './redact-url.js';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'pretty' | 'json' | 'journal';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; defaults to stdout. Tests pass a sink. */
  destination?: { write(line: string): unknown };
}

export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'api_key',
  '*.api_key',
  '*.*.api_key',
  'apiKey',
  '*.apiKey',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * True when file descriptor `fd` is the journal's stream: systemd sets $JOURNAL_STREAM to the
 * `device:inode` of the stream it connects stdout/stderr to, and the variable is inherited by
 * children whose output goes elsewhere, so the numbers are compared, not just the variable's presence.
 */
export function isJournalStream(fd = 1, env: NodeJS.ProcessEnv = process.env): boolean {
  const [dev, ino] = (env['JOURNAL_STREAM'] ?? '').split(':');
  if (!dev || !ino) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return String(st.dev) === dev && String(st.ino) === ino;
  } catch {
    return false;
  }
}

/** What `auto` and the forced formats become for an output: a terminal, the journal, or anything else. */
export function resolveLogFormat(format: LogFormat | undefined, output: { tty: boolean; journal: boolean }): Exclude<LogFormat, 'auto'> {
  if (format && format !== 'auto') return format;
  if (output.tty) return 'pretty';
  return output.journal ? 'journal' : 'json';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  // Only this process's stdout and stderr can be a terminal or the journal; a test's sink is neither.
  const fd = out === process.stdout ? 1 : out === process.stderr ? 2 : undefined;
  const tty = fd !== undefined && (out as NodeJS.WriteStream).isTTY === true;
  const journal = fd !== undefined && !tty && isJournalStream(fd);
  const format = resolveLogFormat(options.format, { tty, journal });
  const stream: DestinationStream = {
    write(raw: string) {
      // Field paths cannot reach a password inside a URL or an error message; the line can.
      const line = redactUrlPasswords(raw);
      if (format === 'pretty') out.write(formatPretty(line, tty));
      else if (format === 'journal') out.write(formatJournal(line));
      else out.write(journal ? journalPrefix(line) + line : line);
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/** A logger for one module, a child of the daemon's root logger. */
export function moduleLogger(module: string, parent: Logger): Logger {
  return parent.child({ module });
}
