/**
 * Where the systemd service lives on the machine, and the two files `satellite service install`
 * writes from this checkout: the unit (from systemd/speech-satellite.service, pointed at this
 * install and the Node.js that runs it) and the config (from satellite.example.yml, with the
 * service's state dir written out, so every `satellite` command reading it works where the service does).
 */
import path from 'node:path';

export const SERVICE = {
  unit: 'speech-satellite.service',
  user: 'speech-satellite',
  group: 'speech-satellite',
  /** Supplementary group for /dev/snd. */
  audioGroup: 'audio',
  /** `StateDirectory=speech-satellite`. */
  stateDir: '/var/lib/speech-satellite',
  modelsDir: '/var/lib/speech-satellite/models',
  configDir: '/etc/speech-satellite',
  configFile: '/etc/speech-satellite/satellite.yml',
  unitFile: '/etc/systemd/system/speech-satellite.service',
  shell: '/usr/sbin/nologin',
} as const;

export const MODES = {
  stateDir: 0o750,
  configDir: 0o755,
  /** Readable by the service's group only: it may hold the MQTT password or an API key. */
  configFile: 0o640,
  unitFile: 0o644,
} as const;

/** What the service cannot see: ProtectHome=yes hides these, PrivateTmp=yes replaces these. */
const HIDDEN_FROM_SERVICE = ['/home', '/root', '/run/user', '/tmp', '/var/tmp'];

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
}

/** This checkout: the folder holding package.json, dist/ and systemd/. */
export interface Install {
  appDir: string;
  /** The Node.js executable the unit runs (the one running this command, unless --node says otherwise). */
  nodePath: string;
  nodeVersion: string;
}

export function cliPath(install: Install): string {
  return path.join(install.appDir, 'dist', 'src', 'cli.js');
}

/** The command a user types to run the CLI as the service would (absolute paths, the unit's Node). */
export function cliCommand(install: Install): string {
  return `${install.nodePath} ${cliPath(install)}`;
}

/** Refuses paths the unit cannot use: hidden by its sandbox, or not writable in a unit file as they are. */
export function checkPath(what: string, p: string): void {
  if (!path.isAbsolute(p)) throw new ServiceError(`${what} must be an absolute path: ${p}`);
  if (/[\s"'\\\x00-\x1f]/.test(p)) throw new ServiceError(`${what} contains spaces, quotes or backslashes, which the unit file cannot hold as written: ${p}`);
  const hidden = HIDDEN_FROM_SERVICE.find((dir) => p === dir || p.startsWith(`${dir}/`));
  if (hidden) {
    throw new ServiceError(
      `${what} is under ${hidden}, which the service's sandbox hides (ProtectHome=yes, PrivateTmp=yes): ${p}. ` +
        (what === 'Node.js'
          ? 'Install Node.js 20 system-wide (NodeSource packages: /usr/bin/node; or the nodejs.org binaries under /usr/local), then run this command with it'
          : 'Put the checkout under /opt (e.g. /opt/speech-satellite), run npm ci there, and run this command from it'),
    );
  }
}

/** Systemd treats `%` as a specifier; a path is written with each `%` doubled. */
function unitPath(p: string): string {
  return p.replaceAll('%', '%%');
}

/** The unit for this install: ExecStart with this Node.js and checkout, WorkingDirectory, a header saying so. */
export function renderUnit(template: string, install: Install): string {
  const app = unitPath(install.appDir);
  const exec = `ExecStart=${unitPath(install.nodePath)} ${unitPath(cliPath(install))} run`;
  let seenExec = false;
  const lines = template.split('\n').map((line) => {
    if (line.startsWith('ExecStart=')) {
      seenExec = true;
      return exec;
    }
    if (line.startsWith('WorkingDirectory=')) return `WorkingDirectory=${app}`;
    return line;
  });
  if (!seenExec) throw new ServiceError('the unit template has no ExecStart= line');
  const header = [
    `# Installed by \`satellite service install\` from ${app}`,
    `# (Node.js ${install.nodeVersion} at ${unitPath(install.nodePath)}). Run it again after moving either.`,
  ];
  return [...header, ...lines].join('\n');
}

/** The example config with `state_dir` set to the service's, and a header about the file's mode. */
export function renderConfig(example: string): string {
  const body = example.replace(/^state_dir: null$/m, `state_dir: ${SERVICE.stateDir}`);
  if (body === example) throw new ServiceError('satellite.example.yml has no "state_dir: null" line to fill in');
  const header = [
    `# Written by \`satellite service install\`. Read by the ${SERVICE.unit} (group ${SERVICE.group}; mode 0640,`,
    '# since it may hold the MQTT password or an API key). After editing: sudo systemctl restart speech-satellite',
  ];
  return `${header.join('\n')}\n${body}`;
}
