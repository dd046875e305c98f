/**
 * The one layer through which `satellite service` touches the machine: user and group lookups,
 * files with their owners and modes, and commands (useradd, systemctl, …). Two implementations:
 * the host itself, and a temporary root (`--root DIR`) where files are written under DIR with their
 * modes, owners are recorded instead of set, and commands are recorded instead of run. Both keep
 * the list of what they did, which the CLI prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Owner {
  user: string;
  group: string;
}

export type Action =
  | { kind: 'run'; argv: string[] }
  | { kind: 'mkdir'; path: string; mode: number; owner: Owner }
  | { kind: 'write'; path: string; mode: number; owner: Owner }
  | { kind: 'set'; path: string; mode: number; owner: Owner }
  | { kind: 'remove'; path: string };

export interface UserInfo {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupInfo {
  name: string;
  gid: number;
  members: string[];
}

export interface FileInfo {
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
}

export interface System {
  /** The temporary root, or undefined for the machine itself. */
  readonly root: string | undefined;
  /** Everything done (or, in a temporary root, recorded), in order. */
  readonly actions: readonly Action[];
  /** Whether this process may change the system (root, or any user in a temporary root). */
  mayChange(): boolean;
  user(name: string): UserInfo | undefined;
  group(name: string): GroupInfo | undefined;
  /** Supplementary group names of a user (from the group file, as `id -nG` shows them). */
  groupsOf(name: string): string[];
  stat(file: string): FileInfo | undefined;
  read(file: string): string | undefined;
  /** A read-only query such as `systemctl is-active`; undefined where commands are not run. */
  query(argv: string[]): { status: number; stdout: string } | undefined;
  /** A command that changes the system; throws with its output when it fails. */
  run(argv: string[]): void;
  mkdir(dir: string, mode: number, owner: Owner): void;
  /** Writes atomically (temporary file, then rename) with the mode and owner set before the rename. */
  write(file: string, text: string, mode: number, owner: Owner): void;
  /** Sets mode and owner of an existing file or folder. */
  set(file: string, mode: number, owner: Owner): void;
  remove(file: string): void;
}

export class SystemCommandError extends Error {
  override readonly name = 'SystemCommandError';
}

/** `/etc/passwd`-style lines into users. */
function parsePasswd(text: string): UserInfo[] {
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((f) => f.length >= 7)
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

/** `/etc/group`-style lines into groups. */
function parseGroup(text: string): GroupInfo[] {
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

abstract class BaseSystem implements System {
  readonly actions: Action[] = [];
  abstract readonly root: string | undefined;
  abstract mayChange(): boolean;
  abstract user(name: string): UserInfo | undefined;
  abstract group(name: string): GroupInfo | undefined;
  abstract groupsOf(name: string): string[];
  abstract query(argv: string[]): { status: number; stdout: string } | undefined;
  protected abstract runNow(argv: string[]): void;
  protected abstract applyOwner(real: string, owner: Owner): void;

  /** Where a system path is on this machine. */
  protected real(file: string): string {
    return this.root ? path.join(this.root, file) : file;
  }

  stat(file: string): FileInfo | undefined {
    try {
      const st = lstatSync(this.real(file));
      return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, isDirectory: st.isDirectory() };
    } catch {
      return undefined;
    }
  }

  read(file: string): string | undefined {
    try {
      return readFileSync(this.real(file), 'utf8');
    } catch {
      return undefined;
    }
  }

  run(argv: string[]): void {
    this.actions.push({ kind: 'run', argv });
    this.runNow(argv);
  }

  mkdir(dir: string, mode: number, owner: Owner): void {
    const real = this.real(dir);
    mkdirSync(real, { recursive: true, mode });
    chmodSync(real, mode);
    this.applyOwner(real, owner);
    this.actions.push({ kind: 'mkdir', path: dir, mode, owner });
  }

  write(file: string, text: string, mode: number, owner: Owner): void {
    const real = this.real(file);
    mkdirSync(path.dirname(real), { recursive: true });
    const temp = `${real}.satellite-new`;
    writeFileSync(temp, text, { mode });
    try {
      chmodSync(temp, mode);
      this.applyOwner(temp, owner);
      renameSync(temp, real);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    this.actions.push({ kind: 'write', path: file, mode, owner });
  }

  set(file: string, mode: number, owner: Owner): void {
    const real = this.real(file);
    chmodSync(real, mode);
    this.applyOwner(real, owner);
    this.actions.push({ kind: 'set', path: file, mode, owner });
  }

  remove(file: string): void {
    rmSync(this.real(file), { recursive: true, force: true });
    this.actions.push({ kind: 'remove', path: file });
  }
}

/** The machine itself: getent for lookups, real chown, commands run. */
export class HostSystem extends BaseSystem {
  readonly root = undefined;

  mayChange(): boolean {
    return typeof process.geteuid === 'function' && process.geteuid() === 0;
  }

  user(name: string): UserInfo | undefined {
    return parsePasswd(this.#getent('passwd', name))[0];
  }

  group(name: string): GroupInfo | undefined {
    return parseGroup(this.#getent('group', name))[0];
  }

  groupsOf(name: string): string[] {
    const r = spawnSync('id', ['-nG', name], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : [];
  }

  query(argv: string[]): { status: number; stdout: string } {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    return { status: r.status ?? 1, stdout: r.stdout ?? '' };
  }

  protected runNow(argv: string[]): void {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    if (r.error) throw new SystemCommandError(`${argv.join(' ')}: ${r.error.message}`);
    if (r.status !== 0) throw new SystemCommandError(`${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  }

  protected applyOwner(real: string, owner: Owner): void {
    const uid = this.user(owner.user)?.uid;
    const gid = this.group(owner.group)?.gid;
    if (uid === undefined || gid === undefined) throw new SystemCommandError(`cannot set owner ${owner.user}:${owner.group} of ${real}: no such user or group`);
    chownSync(real, uid, gid);
  }

  #getent(database: string, key: string): string {
    const r = spawnSync('getent', [database, key], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  }
}

/**
 * A temporary root for tests and dry runs: files go under `root` with their modes; owners are only
 * recorded (the users may not exist); commands are recorded, never run. Users and groups are read
 * from `root`/etc/passwd and `root`/etc/group when those exist, so a test can say who exists.
 */
export class RootedSystem extends BaseSystem {
  constructor(readonly root: string) {
    super();
  }

  mayChange(): boolean {
    return true;
  }

  user(name: string): UserInfo | undefined {
    return parsePasswd(this.read('/etc/passwd') ?? '').find((u) => u.name === name);
  }

  group(name: string): GroupInfo | undefined {
    return parseGroup(this.read('/etc/group') ?? '').find((g) => g.name === name);
  }

  groupsOf(name: string): string[] {
    return parseGroup(this.read('/etc/group') ?? '')
      .filter((g) => g.members.includes(name))
      .map((g) => g.name);
  }

  query(): undefined {
    return undefined;
  }

  protected runNow(): void {
    // recorded only
  }

  /**
   * The owner is part of the recorded action; it is also set when this process may and the temporary
   * root's own passwd/group files name the user and group (a test that seeds them sees real owners).
   */
  protected applyOwner(real: string, owner: Owner): void {
    const uid = owner.user === 'root' ? 0 : this.user(owner.user)?.uid;
    const gid = owner.group === 'root' ? 0 : this.group(owner.group)?.gid;
    const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
    if (isRoot && uid !== undefined && gid !== undefined) chownSync(real, uid, gid);
  }
}

/** One line per action, e.g. `write /etc/speech-satellite/satellite.yml (0640 root:speech-satellite)`. */
export function describeAction(action: Action): string {
  const attrs = (mode: number, owner: Owner) => `(${mode.toString(8).padStart(4, '0')} ${owner.user}:${owner.group})`;
  switch (action.kind) {
    case 'run':
      return `run    ${action.argv.map((arg) => (/[\s'"]/.test(arg) ? `'${arg.replaceAll("'", "'\\''")}'` : arg)).join(' ')}`;
    case 'mkdir':
      return `mkdir  ${action.path} ${attrs(action.mode, action.owner)}`;
    case 'write':
      return `write  ${action.path} ${attrs(action.mode, action.owner)}`;
    case 'set':
      return `set    ${action.path} ${attrs(action.mode, action.owner)}`;
    case 'remove':
      return `remove ${action.path}`;
  }
}
