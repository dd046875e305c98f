/**
 * `satellite models …` run by root into a folder another user owns (the service's
 * /var/lib/speech-satellite) switches to that user before touching anything, so models, the lock
 * file and the partial downloads end up owned by the user the service runs as, never by root.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
  /** The user's name, when the passwd database knows the uid. */
  name: string | undefined;
  home: string | undefined;
  /** The folder whose owner this is. */
  ownerOf: string;
}

/** The owner of `dir`, or of its nearest existing parent, when this process is root and that owner is not. */
export function ownerToRunAs(dir: string): RunAs | undefined {
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return undefined;
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (p === path.dirname(p)) return undefined;
      continue;
    }
    if (st.uid === 0) return undefined;
    const entry = spawnSync('getent', ['passwd', String(st.uid)], { encoding: 'utf8' });
    const fields = entry.status === 0 ? entry.stdout.trim().split(':') : [];
    const gid = fields.length >= 7 ? Number(fields[3]) : st.gid;
    return { uid: st.uid, gid, name: fields[0], home: fields[5], ownerOf: p };
  }
}

/** Becomes `who` (groups, then gid, then uid; no way back). Returns the line to tell the user. */
export function becomeOwner(who: RunAs): string {
  const proc = process as NodeJS.Process & Required<Pick<NodeJS.Process, 'setgroups' | 'setgid' | 'setuid'>> & { initgroups(user: string, group: number): void };
  if (who.name) proc.initgroups(who.name, who.gid);
  else proc.setgroups([who.gid]);
  proc.setgid(who.gid);
  proc.setuid(who.uid);
  if (who.home) process.env['HOME'] = who.home;
  return `running as ${who.name ?? `uid ${who.uid}`}, the owner of ${who.ownerOf}, so what is installed belongs to the user that reads it`;
}
