/** Nice values of this process's threads, read from /proc (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** The nice value in a /proc stat line (field 19; the command name in parentheses may hold spaces). */
export function niceOf(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16]);
}

/** thread id → nice value, for every thread of this process. */
export function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(tid), niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread exited while we looked
    }
  }
  return out;
}
