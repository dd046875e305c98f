/**
 * `satellite service status`: whether the unit is installed and for which checkout and Node.js,
 * whether systemd has it enabled and running, and whether the user, the state dir and the config
 * are as the service needs them (owners, modes, the audio group). Read-only.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { cliPath, SERVICE, type Install } from './layout.js';
import type { System } from './system.js';

/** Exit statuses, as `systemctl status` uses them. */
export const STATUS_EXIT = { running: 0, notRunning: 3, notInstalled: 4 } as const;

/** Files looked at for a wrong owner under the state dir, at most. */
const OWNER_SCAN_LIMIT = 10_000;

export interface ServiceStatus {
  installed: boolean;
  /** systemctl's answers; null where commands are not run (a temporary root). */
  enabled: string | null;
  active: string | null;
  /** What the installed unit runs. */
  execStart: string | null;
  problems: string[];
  exitCode: number;
}

function mode(m: number): string {
  return m.toString(8).padStart(4, '0');
}

function unitProblems(sys: System, install: Install, unit: string): { execStart: string | null; problems: string[] } {
  const problems: string[] = [];
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? null;
  const [node, cli] = execStart?.split(' ') ?? [];
  if (node && sys.root === undefined && !sys.stat(node)) problems.push(`the unit runs ${node}, which does not exist: run service install again with Node.js 20`);
  if (cli && cli !== cliPath(install)) problems.push(`the unit runs another checkout (${cli}), not this one (${cliPath(install)})`);
  return { execStart, problems };
}

function userProblems(sys: System): string[] {
  const user = sys.user(SERVICE.user);
  if (!user) return [`the user ${SERVICE.user} does not exist`];
  return sys.groupsOf(SERVICE.user).includes(SERVICE.audioGroup) ? [] : [`${SERVICE.user} is not in the ${SERVICE.audioGroup} group, so it cannot open /dev/snd`];
}

/** Files under the state dir that the service user does not own (a root shell's pull or lock files). */
function foreignFiles(sys: System, uid: number): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(sys.root ? path.join(sys.root, dir) : dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > OWNER_SCAN_LIMIT) return;
      const file = path.join(dir, name);
      const st = sys.stat(file);
      if (!st) continue;
      if (st.uid !== uid) found.push(file);
      if (st.isDirectory) walk(file);
    }
  };
  walk(SERVICE.stateDir);
  return found;
}

function fileProblems(sys: System): string[] {
  const problems: string[] = [];
  const user = sys.user(SERVICE.user);
  const group = sys.group(SERVICE.group);
  const state = sys.stat(SERVICE.stateDir);
  if (!state) problems.push(`${SERVICE.stateDir} does not exist`);
  else if (user && state.uid !== user.uid) problems.push(`${SERVICE.stateDir} is not owned by ${SERVICE.user}`);
  if (user && state) {
    const foreign = foreignFiles(sys, user.uid);
    if (foreign.length) problems.push(`${foreign.length} file(s) under ${SERVICE.stateDir} are not owned by ${SERVICE.user} (e.g. ${foreign[0]}); service install hands them over`);
  }
  const config = sys.stat(SERVICE.configFile);
  if (!config) problems.push(`${SERVICE.configFile} does not exist (the service runs with built-in defaults)`);
  else {
    if (config.mode & 0o007) problems.push(`${SERVICE.configFile} is readable by every user (mode ${mode(config.mode)}; it may hold secrets): chmod 0640`);
    if (group && config.gid !== group.gid && !(config.mode & 0o004)) problems.push(`${SERVICE.configFile} is not readable by the group ${SERVICE.group}`);
  }
  return problems;
}

export function serviceStatus(sys: System, install: Install): ServiceStatus {
  const unit = sys.read(SERVICE.unitFile);
  if (unit === undefined) {
    return { installed: false, enabled: null, active: null, execStart: null, problems: [`${SERVICE.unitFile} is not installed`], exitCode: STATUS_EXIT.notInstalled };
  }
  const { execStart, problems } = unitProblems(sys, install, unit);
  problems.push(...userProblems(sys), ...fileProblems(sys));
  const answer = (verb: string) => sys.query(['systemctl', verb, SERVICE.unit])?.stdout.trim() || null;
  const enabled = answer('is-enabled');
  const active = answer('is-active');
  const running = active === null ? problems.length === 0 : active === 'active';
  return { installed: true, enabled, active, execStart, problems, exitCode: running ? STATUS_EXIT.running : STATUS_EXIT.notRunning };
}

export function renderStatus(status: ServiceStatus, sys: System): string[] {
  const unknown = sys.root ? 'unknown (temporary root: systemctl is not asked)' : 'unknown';
  const lines = [
    `unit:     ${status.installed ? SERVICE.unitFile : 'not installed'}`,
    ...(status.installed
      ? [`runs:     ${status.execStart ?? '?'}`, `enabled:  ${status.enabled ?? unknown}`, `active:   ${status.active ?? unknown}`]
      : []),
    `user:     ${sys.user(SERVICE.user) ? `${SERVICE.user} (groups: ${sys.groupsOf(SERVICE.user).join(' ') || '-'})` : 'missing'}`,
    `state:    ${SERVICE.stateDir}${describeFile(sys, SERVICE.stateDir)}`,
    `config:   ${SERVICE.configFile}${describeFile(sys, SERVICE.configFile)}`,
  ];
  for (const p of status.problems) lines.push(`problem:  ${p}`);
  if (status.installed) lines.push(`logs:     journalctl -u ${SERVICE.unit} -f`);
  return lines;
}

function describeFile(sys: System, file: string): string {
  const st = sys.stat(file);
  if (!st) return ' (missing)';
  const owner = (id: number, kind: 'user' | 'group') => {
    const names = kind === 'user' ? [SERVICE.user, 'root'] : [SERVICE.group, 'root'];
    for (const name of names) {
      const found = kind === 'user' ? sys.user(name)?.uid : sys.group(name)?.gid;
      if (found === id || (name === 'root' && id === 0)) return name;
    }
    return String(id);
  };
  return ` (${mode(st.mode)} ${owner(st.uid, 'user')}:${owner(st.gid, 'group')})`;
}

