/**
 * The pino root logger and one child per module. Human-readable lines on a terminal, JSON lines
 * otherwise (journald gets `<N>` priority prefixes when it is the reader). Secrets are redacted:
 * secret-named fields, and the password of any URL with user info anywhere in a line.
 * No other file imports pino.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { formatPretty, journalPrefix } from './log-format.js';
import { redactUrlPasswords } from './redact-url.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  format?: 'auto' | 'pretty' | 'json';
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

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const isTty = out === process.stdout && process.stdout.isTTY === true;
  const format = options.format === 'auto' || !options.format ? (isTty ? 'pretty' : 'json') : options.format;
  const journald = out === process.stdout && !isTty && Boolean(process.env['JOURNAL_STREAM']);
  const stream: DestinationStream = {
    write(raw: string) {
      // Field paths cannot reach a password inside a URL or an error message; the line can.
      const line = redactUrlPasswords(raw);
      if (format === 'pretty') out.write(formatPretty(line));
      else out.write(journald ? journalPrefix(line) + line : line);
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
