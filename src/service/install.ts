/**
 * `satellite service install` and `uninstall`: every change goes through a {@link System}, so the
 * same code runs on the machine and in a temporary root (`--root DIR`) that records what it would do.
 *
 * Install: the `audio` group if missing, the system user (its own group, member of `audio`, no
 * login, home = the state dir), the state dir and models dir owned by that user (fixing files a
 * root shell left there), /etc/speech-satellite/satellite.yml (0640 root:speech-satellite; an
 * existing one is kept), the unit pointing at this checkout and this Node.js, then
 * `systemctl daemon-reload` and `enable --now` (or `restart` when it already runs).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../config/load.js';
import { errorMessage } from '../util/errors.js';
import { checkPath, cliCommand, cliPath, MODES, renderConfig, renderUnit, SERVICE, ServiceError, type Install } from './layout.js';
import type { Owner, System } from './system.js';

const ROOT_OWNER: Owner = { user: 'root', group: 'root' };
const SERVICE_OWNER: Owner = { user: SERVICE.user, group: SERVICE.group };
const CONFIG_OWNER: Owner = { user: 'root', group: SERVICE.group };

export interface Outcome {
  /** Things the user should know (kept files, warnings). */
  notes: string[];
  /** What to do next, one command or hint per line. */
  next: string[];
}

/** systemd is PID 1 (sd_booted): /run/systemd/system exists. Not asked in a temporary root. */
function requireSystemd(sys: System): void {
  if (sys.root === undefined && !existsSync('/run/systemd/system')) {
    throw new ServiceError('systemd is not running on this machine (no /run/systemd/system), so there is no service manager to install into');
  }
}

function requirePrivileges(sys: System, verb: string): void {
  if (!sys.mayChange()) throw new ServiceError(`${verb} changes the system: run it as root (sudo), or with --root DIR to try it in a temporary root`);
}

/** The checks that need nothing changed yet: paths the sandbox can see, files the install needs. */
function checkInstall(install: Install): { template: string; example: string } {
  checkPath('Node.js', install.nodePath);
  checkPath('the checkout', install.appDir);
  const templateFile = path.join(install.appDir, 'systemd', SERVICE.unit);
  const exampleFile = path.join(install.appDir, 'satellite.example.yml');
  for (const file of [templateFile, exampleFile, cliPath(install)]) {
    if (!existsSync(file)) throw new ServiceError(`${file} is missing: run this command from a built checkout (npm ci && npm run build)`);
  }
  return { template: readFileSync(templateFile, 'utf8'), example: readFileSync(exampleFile, 'utf8') };
}

/** Other users (the service) must be able to reach the checkout and the CLI: o+x on every folder, o+r on the file. */
function readableByService(install: Install): string | undefined {
  const file = cliPath(install);
  const blocked: string[] = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) blocked.push(dir);
    if (dir === path.dirname(dir)) break;
  }
  if ((statSync(file).mode & 0o004) === 0) blocked.push(file);
  if (!blocked.length) return undefined;
  return `the service user cannot read ${blocked.join(', ')} (other users need r/x): chmod -R o+rX ${install.appDir}`;
}

function ensureUser(sys: System): void {
  if (!sys.group(SERVICE.audioGroup)) sys.run(['groupadd', '--system', SERVICE.audioGroup]);
  if (!sys.user(SERVICE.user)) {
    sys.run([
      'useradd',
      '--system',
      '--user-group',
      '--groups',
      SERVICE.audioGroup,
      '--home-dir',
      SERVICE.stateDir,
      '--no-create-home',
      '--shell',
      SERVICE.shell,
      '--comment',
      'speech-satellite daemon',
      SERVICE.user,
    ]);
  } else if (!sys.groupsOf(SERVICE.user).includes(SERVICE.audioGroup)) {
    sys.run(['usermod', '--append', '--groups', SERVICE.audioGroup, SERVICE.user]);
  }
}

/** The state dir and models dir, owned by the service; files a root shell left there are handed over. */
function ensureStateDir(sys: System): void {
  if (sys.stat(SERVICE.stateDir)) {
    sys.run(['chown', '-R', '--no-dereference', `${SERVICE.user}:${SERVICE.group}`, SERVICE.stateDir]);
    sys.set(SERVICE.stateDir, MODES.stateDir, SERVICE_OWNER);
  } else {
    sys.mkdir(SERVICE.stateDir, MODES.stateDir, SERVICE_OWNER);
  }
  if (!sys.stat(SERVICE.modelsDir)) sys.mkdir(SERVICE.modelsDir, MODES.stateDir, SERVICE_OWNER);
}

/** Writes the config unless one exists; an existing one keeps its content and gets the mode and owner. */
function ensureConfig(sys: System, example: string, notes: string[]): void {
  if (!sys.stat(SERVICE.configDir)) sys.mkdir(SERVICE.configDir, MODES.configDir, ROOT_OWNER);
  else sys.set(SERVICE.configDir, MODES.configDir, ROOT_OWNER);
  const existing = sys.read(SERVICE.configFile);
  if (existing === undefined) {
    sys.write(SERVICE.configFile, renderConfig(example), MODES.configFile, CONFIG_OWNER);
    return;
  }
  sys.set(SERVICE.configFile, MODES.configFile, CONFIG_OWNER);
  notes.push(`kept the existing ${SERVICE.configFile}`);
  try {
    const parsed = (parseYaml(existing) ?? {}) as Record<string, unknown>;
    const config = parseConfig(parsed, { STATE_DIRECTORY: SERVICE.stateDir });
    if (parsed['state_dir'] === undefined || parsed['state_dir'] === null) {
      notes.push(
        `${SERVICE.configFile} does not set state_dir: the service uses ${SERVICE.stateDir} anyway, but \`satellite models pull\` from a shell ` +
          `would not; add "state_dir: ${SERVICE.stateDir}" to it`,
      );
    } else if (config.state_dir !== SERVICE.stateDir) {
      notes.push(`${SERVICE.configFile} sets state_dir: ${config.state_dir}; the service may only write to ${SERVICE.stateDir} (ProtectSystem=strict)`);
    }
  } catch (err) {
    notes.push(`${SERVICE.configFile} is not a valid config, and the service will not start until it is: ${errorMessage(err)}`);
  }
}

function startService(sys: System, start: boolean): void {
  sys.run(['systemctl', 'daemon-reload']);
  if (!start) {
    sys.run(['systemctl', 'enable', SERVICE.unit]);
    return;
  }
  const running = sys.query(['systemctl', 'is-active', '--quiet', SERVICE.unit])?.status === 0;
  if (running) {
    sys.run(['systemctl', 'enable', SERVICE.unit]);
    sys.run(['systemctl', 'restart', SERVICE.unit]);
  } else {
    sys.run(['systemctl', 'enable', '--now', SERVICE.unit]);
  }
}

export function installService(sys: System, install: Install, options: { start: boolean }): Outcome {
  const { template, example } = checkInstall(install);
  requirePrivileges(sys, 'service install');
  requireSystemd(sys);
  const notes: string[] = [];
  const unreadable = readableByService(install);
  if (unreadable) notes.push(unreadable);
  ensureUser(sys);
  ensureStateDir(sys);
  ensureConfig(sys, example, notes);
  sys.write(SERVICE.unitFile, renderUnit(template, install), MODES.unitFile, ROOT_OWNER);
  startService(sys, options.start);
  const cli = cliCommand(install);
  const next = [
    `models: the service pulls the default set by itself on first start (models.auto_pull). To pull models now, as the service would:`,
    `  sudo ${cli} models pull --defaults --config ${SERVICE.configFile}`,
    `  (run as root, it writes as ${SERVICE.user}, the owner of ${SERVICE.stateDir}; the running service sees new models without a restart)`,
    `logs:   journalctl -u ${SERVICE.unit} -f`,
    `config: sudoedit ${SERVICE.configFile}, then sudo systemctl restart ${SERVICE.unit}`,
    `check:  sudo ${cli} service status`,
  ];
  return { notes, next };
}

export function uninstallService(sys: System, options: { purge: boolean }): Outcome {
  requirePrivileges(sys, 'service uninstall');
  const notes: string[] = [];
  if (sys.stat(SERVICE.unitFile)) {
    requireSystemd(sys);
    sys.run(['systemctl', 'disable', '--now', SERVICE.unit]);
    sys.remove(SERVICE.unitFile);
    sys.run(['systemctl', 'daemon-reload']);
  } else {
    notes.push(`${SERVICE.unitFile} is not installed`);
  }
  if (options.purge) {
    if (sys.stat(SERVICE.configDir)) sys.remove(SERVICE.configDir);
    if (sys.stat(SERVICE.stateDir)) sys.remove(SERVICE.stateDir);
    if (sys.user(SERVICE.user)) sys.run(['userdel', SERVICE.user]);
  } else {
    notes.push(
      `kept ${SERVICE.configFile}, ${SERVICE.stateDir} (models and state) and the user ${SERVICE.user}; ` + '`service uninstall --purge` removes them too',
    );
  }
  return { notes, next: [] };
}
