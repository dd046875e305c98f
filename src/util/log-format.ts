/**
 * Formatting of pino's JSON lines: for people on a terminal (`pretty`), for the journal (`journal`:
 * a `<N>` syslog priority prefix, then one readable line per event; journald adds the time), and
 * the priority prefix alone for JSON lines that go to the journal.
 */

const LEVEL_PRIORITY: Record<string, number> = { fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };
const LEVEL_COLOUR: Record<string, string> = {
  fatal: '\x1b[35m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';
const SKIP = new Set(['level', 'time', 'msg', 'module', 'pid', 'hostname']);
const NEWLINES = /\r?\n/g;

/** `<3>` etc.: the syslog priority of a JSON line, so `journalctl -p warning` filters by level. */
export function journalPrefix(line: string): string {
  const level = /"level":"([a-z]+)"/.exec(line)?.[1] ?? 'info';
  return `<${LEVEL_PRIORITY[level] ?? 6}>`;
}

interface Parts {
  level: string;
  time: number;
  module: string;
  msg: string;
  fields: string;
}

function parts(line: string): Parts | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const extras: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (SKIP.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: string; code?: string };
      extras.push(`err=${err.code ? `${err.code}: ` : ''}${err.message ?? ''}`);
      continue;
    }
    extras.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return {
    level: String(entry['level'] ?? 'info'),
    time: Number(entry['time'] ?? Date.now()),
    module: entry['module'] ? `[${String(entry['module'])}] ` : '',
    msg: String(entry['msg'] ?? ''),
    fields: extras.length ? ` ${extras.join(' ')}` : '',
  };
}

/** `HH:MM:SS.mmm LEVEL [module] message key=value …`, coloured for a terminal unless `colour` is false. */
export function formatPretty(line: string, colour = true): string {
  const p = parts(line);
  if (!p) return line;
  const time = new Date(p.time).toISOString().slice(11, 23);
  const level = p.level.toUpperCase().padEnd(5);
  const shown = colour ? `${LEVEL_COLOUR[p.level] ?? ''}${level}${RESET}` : level;
  return `${time} ${shown} ${p.module}${p.msg}${p.fields}\n`;
}

/**
 * One journal entry per event: `<6>[module] message key=value …`. The priority carries the level
 * (`journalctl -p warning`), so only levels other than info are also spelled out; line breaks
 * inside a message or a value are escaped, since each line would be an entry of its own.
 */
export function formatJournal(line: string): string {
  const p = parts(line);
  if (!p) return `<6>${line.replace(/\r?\n$/, '').replace(NEWLINES, '\\n')}\n`;
  const level = p.level === 'info' ? '' : `${p.level.toUpperCase()} `;
  const text = `${level}${p.module}${p.msg}${p.fields}`.replace(NEWLINES, '\\n');
  return `<${LEVEL_PRIORITY[p.level] ?? 6}>${text}\n`;
}
