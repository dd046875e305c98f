/**
 * `satellite service install|uninstall|status`: the systemd service in one command. Every system
 * change goes through src/service/system.ts; `--root DIR` runs the same steps in a temporary root
 * (files written under DIR, owners and commands recorded and printed, nothing run).
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { installService, uninstallService, type Outcome } from '../service/install.js';
import { ServiceError, type Install } from '../service/layout.js';
import { renderStatus, serviceStatus } from '../service/status.js';
import { describeAction, HostSystem, RootedSystem, SystemCommandError, type System } from '../service/system.js';
import { nodeVersionProblem } from '../util/node-version.js';

interface ServiceArgs {
  root?: string;
  json?: boolean;
  node?: string;
  start?: boolean;
  purge?: boolean;
}

/** The checkout this CLI runs from: dist/src/cli/service.js → three folders up. */
function appDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** This Node.js, or the one --node names (its version asked of it). */
function installFor(args: ServiceArgs): Install {
  let nodePath: string;
  try {
    nodePath = realpathSync(args.node ?? process.execPath);
  } catch {
    throw new ServiceError(`--node ${args.node}: no such file`);
  }
  let nodeVersion = process.versions.node;
  if (args.node) {
    const r = spawnSync(nodePath, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) throw new ServiceError(`${nodePath} --version failed: is it Node.js?`);
    nodeVersion = r.stdout.trim().replace(/^v/, '');
  }
  const problem = nodeVersionProblem(nodeVersion, nodePath);
  if (problem) throw new ServiceError(problem);
  return { appDir: realpathSync(appDir()), nodePath, nodeVersion };
}

function systemFor(args: ServiceArgs): System {
  return args.root ? new RootedSystem(path.resolve(args.root)) : new HostSystem();
}

function print(sys: System, outcome: Outcome, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ root: sys.root ?? null, actions: sys.actions, ...outcome }, null, 2)}\n`);
    return;
  }
  if (sys.root) process.stdout.write(`temporary root ${sys.root}: files are written there; owners and commands are only recorded\n`);
  for (const action of sys.actions) process.stdout.write(`${describeAction(action)}\n`);
  for (const note of outcome.notes) process.stdout.write(`note: ${note}\n`);
  if (outcome.next.length) process.stdout.write(`\n${outcome.next.join('\n')}\n`);
}

/** Runs one subcommand; a refusal or a failed command is one `error:` line and exit 1, after what was already done. */
function guarded(fn: (args: ServiceArgs, sys: System) => void): (args: ServiceArgs) => void {
  return (args) => {
    const sys = systemFor(args);
    try {
      fn(args, sys);
    } catch (err) {
      if (!(err instanceof ServiceError || err instanceof SystemCommandError)) throw err;
      if (sys.actions.length && !args.json) {
        process.stderr.write('done before the error:\n');
        for (const action of sys.actions) process.stderr.write(`  ${describeAction(action)}\n`);
      }
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
    }
  };
}

const rootOption = { type: 'string', describe: 'a temporary root: write files under DIR, record owners and commands instead of setting and running them' } as const;
const jsonOption = { type: 'boolean', describe: 'print JSON' } as const;

export const serviceCommand: CommandModule<object, ServiceArgs> = {
  command: 'service <action>',
  describe: 'install, remove or check the systemd service (speech-satellite.service)',
  builder: (y: Argv<object>) =>
    y
      .command<ServiceArgs>({
        command: 'install',
        describe: 'create the user, state dir and /etc/speech-satellite/satellite.yml, install the unit for this checkout and Node.js, enable and start it',
        builder: (b) =>
          b
            .option('root', rootOption)
            .option('json', jsonOption)
            .option('node', { type: 'string', describe: 'the Node.js executable the unit runs (default: the one running this command)' })
            .option('start', { type: 'boolean', default: true, describe: 'start (or restart) the service; --no-start only enables it' }) as never,
        handler: guarded((args, sys) => print(sys, installService(sys, installFor(args), { start: args.start ?? true }), args.json ?? false)),
      })
      .command<ServiceArgs>({
        command: 'uninstall',
        describe: 'stop and disable the service and remove its unit; --purge also removes the config, the state dir (models) and the user',
        builder: (b) =>
          b
            .option('root', rootOption)
            .option('json', jsonOption)
            .option('purge', { type: 'boolean', describe: 'also remove /etc/speech-satellite, /var/lib/speech-satellite and the user' }) as never,
        handler: guarded((args, sys) => print(sys, uninstallService(sys, { purge: args.purge ?? false }), args.json ?? false)),
      })
      .command<ServiceArgs>({
        command: 'status',
        describe: 'is the unit installed (for this checkout), enabled and running; are the user, state dir and config right (exit 0 running, 3 not running, 4 not installed)',
        builder: (b) => b.option('root', rootOption).option('json', jsonOption) as never,
        handler: guarded((args, sys) => {
          const status = serviceStatus(sys, installFor(args));
          if (args.json) process.stdout.write(`${JSON.stringify({ root: sys.root ?? null, ...status }, null, 2)}\n`);
          else process.stdout.write(`${renderStatus(status, sys).join('\n')}\n`);
          process.exitCode = status.exitCode;
        }),
      })
      .demandCommand(1),
  handler: () => undefined,
};
