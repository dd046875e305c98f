/** Formatting of pino's JSON lines for people (TTY) and for journald priority prefixes. */

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

/** `<3>` etc. so `journalctl -p warning` filters our JSON lines. */
export function journalPrefix(line: string): string {
  const level = /"level":"([a-z]+)"/.exec(line)?.[1] ?? 'info';
  return `<${LEVEL_PRIORITY[level] ?? 6}>`;
}

export function formatPretty(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = String(entry['level'] ?? 'info');
  const time = new Date(Number(entry['time'] ?? Date.now())).toISOString().slice(11, 23);
  const module = entry['module'] ? ` [${String(entry['module'])}]` : '';
  const extras: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (SKIP.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: string; code?: string; stack?: string };
      extras.push(`err=${err.code ? `${err.code}: ` : ''}${err.message ?? ''}`);
      continue;
    }
    extras.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const colour = LEVEL_COLOUR[level] ?? '';
  const tail = extras.length ? ` ${extras.join(' ')}` : '';
  return `${time} ${colour}${level.toUpperCase().padEnd(5)}${RESET}${module} ${String(entry['msg'] ?? '')}${tail}\n`;
}
