/**
 * `satellite service install|uninstall|status` in a temporary root (`--root DIR`): files are
 * written under DIR with their modes; owners are set only for users the root's own etc/passwd and
 * etc/group name, and recorded always; commands (useradd, systemctl, …) are recorded, never run.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { checkPath } from '../../src/service/layout.js';
import { HostSystem, type Action } from '../../src/service/system.js';
import { REPO_ROOT, hasCommand, isRoot, need } from '../helpers/system.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const SERVICE_UID = 990;
const SERVICE_GID = 990;
const AUDIO_GID = 29;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Result {
  return spawnSync(process.execPath, [CLI, 'service', ...args], { encoding: 'utf8', cwd: os.tmpdir(), timeout: 30_000 });
}

function json(r: Result): { actions: Action[]; notes: string[]; next: string[] } {
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as { actions: Action[]; notes: string[]; next: string[] };
}

/** A temporary root whose etc/passwd and etc/group say who exists, as on a fresh Debian with `audio`. */
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempRoot(users: { service?: boolean; inAudio?: boolean } = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'satellite-root-'));
  roots.push(root);
  mkdirSync(path.join(root, 'etc'));
  const passwd = ['root:x:0:0:root:/root:/bin/bash'];
  const group = ['root:x:0:', `audio:x:${AUDIO_GID}:${users.service && users.inAudio ? 'speech-satellite' : ''}`];
  if (users.service) {
    passwd.push(`speech-satellite:x:${SERVICE_UID}:${SERVICE_GID}::/var/lib/speech-satellite:/usr/sbin/nologin`);
    group.push(`speech-satellite:x:${SERVICE_GID}:`);
  }
  writeFileSync(path.join(root, 'etc', 'passwd'), `${passwd.join('\n')}\n`);
  writeFileSync(path.join(root, 'etc', 'group'), `${group.join('\n')}\n`);
  return root;
}

const runs = (actions: Action[]) => actions.filter((a): a is Extract<Action, { kind: 'run' }> => a.kind === 'run').map((a) => a.argv.join(' '));
const modeOf = (file: string) => statSync(file).mode & 0o7777;
const find = (actions: Action[], kind: Action['kind'], p: string) => actions.find((a) => a.kind === kind && 'path' in a && a.path === p);

describe('satellite service install --root', () => {
  test('on a fresh system: the user with audio, state dir, 0640 config, the unit for this checkout, enable --now', (t) => {
    const root = tempRoot();
    const out = json(cli(['install', '--root', root, '--json']));
    assert.deepEqual(runs(out.actions), [
      'useradd --system --user-group --groups audio --home-dir /var/lib/speech-satellite --no-create-home --shell /usr/sbin/nologin --comment speech-satellite daemon speech-satellite',
      'systemctl daemon-reload',
      'systemctl enable --now speech-satellite.service',
    ]);
    const service = { user: 'speech-satellite', group: 'speech-satellite' };
    assert.deepEqual(find(out.actions, 'mkdir', '/var/lib/speech-satellite'), { kind: 'mkdir', path: '/var/lib/speech-satellite', mode: 0o750, owner: service });
    assert.deepEqual(find(out.actions, 'mkdir', '/var/lib/speech-satellite/models'), { kind: 'mkdir', path: '/var/lib/speech-satellite/models', mode: 0o750, owner: service });
    assert.deepEqual(find(out.actions, 'write', '/etc/speech-satellite/satellite.yml'), {
      kind: 'write',
      path: '/etc/speech-satellite/satellite.yml',
      mode: 0o640,
      owner: { user: 'root', group: 'speech-satellite' },
    });
    assert.deepEqual(find(out.actions, 'write', '/etc/systemd/system/speech-satellite.service'), {
      kind: 'write',
      path: '/etc/systemd/system/speech-satellite.service',
      mode: 0o644,
      owner: { user: 'root', group: 'root' },
    });

    // The files are really there, with those modes.
    assert.equal(modeOf(path.join(root, 'var/lib/speech-satellite')), 0o750);
    const configFile = path.join(root, 'etc/speech-satellite/satellite.yml');
    assert.equal(modeOf(configFile), 0o640);
    const config = parseConfig(parseYaml(readFileSync(configFile, 'utf8')) as Record<string, unknown>, {});
    assert.equal(config.state_dir, '/var/lib/speech-satellite', 'every command reading the file works where the service does');
    assert.equal(config.models_dir, '/var/lib/speech-satellite/models');
    const unitFile = path.join(root, 'etc/systemd/system/speech-satellite.service');
    const unit = readFileSync(unitFile, 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=${process.execPath} ${path.join(REPO_ROOT, 'dist/src/cli.js')} run$`, 'm'));
    assert.match(unit, new RegExp(`^WorkingDirectory=${REPO_ROOT}$`, 'm'));
    assert.ok(!existsSync(path.join(root, 'etc/passwd.satellite-new')));

    // How to pull models as the service comes with it.
    assert.ok(out.next.some((l) => l.includes(`models pull --defaults --config /etc/speech-satellite/satellite.yml`)), out.next.join('\n'));
    if (hasCommand('systemd-analyze')) {
      const v = spawnSync('systemd-analyze', ['verify', '--man=no', unitFile], { encoding: 'utf8' });
      assert.equal(v.status, 0, `${v.stdout}${v.stderr}`);
    } else t.diagnostic('systemd-analyze missing: the installed unit was not verified');
  });

  test('the text output names every owner, mode and command', () => {
    const r = cli(['install', '--root', tempRoot()]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^temporary root .*: files are written there; owners and commands are only recorded$/m);
    assert.match(r.stdout, /^run {4}useradd --system .* speech-satellite$/m);
    assert.match(r.stdout, /^mkdir  \/var\/lib\/speech-satellite \(0750 speech-satellite:speech-satellite\)$/m);
    assert.match(r.stdout, /^write  \/etc\/speech-satellite\/satellite\.yml \(0640 root:speech-satellite\)$/m);
    assert.match(r.stdout, /^run {4}systemctl enable --now speech-satellite\.service$/m);
  });

  test('an existing user joins audio, an existing config is kept but made 0640, files root left in the state dir are handed over', (t) => {
    if (!need(t, isRoot(), 'setting owners in the temporary root needs root')) return;
    const root = tempRoot({ service: true, inAudio: false });
    const etc = path.join(root, 'etc/speech-satellite');
    mkdirSync(etc, { recursive: true });
    writeFileSync(path.join(etc, 'satellite.yml'), 'mqtt:\n  url: mqtt://broker\n  password: hunter2\n');
    chmodSync(path.join(etc, 'satellite.yml'), 0o644);
    const state = path.join(root, 'var/lib/speech-satellite');
    mkdirSync(state, { recursive: true });
    writeFileSync(path.join(state, 'daemon.lock'), '{}');

    const out = json(cli(['install', '--root', root, '--json', '--no-start']));
    assert.deepEqual(runs(out.actions), [
      'usermod --append --groups audio speech-satellite',
      'chown -R --no-dereference speech-satellite:speech-satellite /var/lib/speech-satellite',
      'systemctl daemon-reload',
      'systemctl enable speech-satellite.service',
    ]);
    assert.equal(readFileSync(path.join(etc, 'satellite.yml'), 'utf8'), 'mqtt:\n  url: mqtt://broker\n  password: hunter2\n');
    const config = statSync(path.join(etc, 'satellite.yml'));
    assert.equal(config.mode & 0o7777, 0o640);
    assert.equal(config.uid, 0);
    assert.equal(config.gid, SERVICE_GID, 'the owners of the root are set when its etc/group names them');
    assert.equal(statSync(state).uid, SERVICE_UID);
    assert.ok(out.notes.some((n) => n.startsWith('kept the existing /etc/speech-satellite/satellite.yml')));
    assert.ok(out.notes.some((n) => n.includes('does not set state_dir')), out.notes.join('\n'));
  });

  test('refuses a checkout or a Node.js the sandbox cannot see, and paths a unit file cannot hold', () => {
    for (const hidden of ['/home/pi/.nvm/versions/node/v20.19.0/bin/node', '/root/node/bin/node', '/tmp/node']) {
      assert.throws(() => checkPath('Node.js', hidden), /hides \(ProtectHome=yes, PrivateTmp=yes\).*Install Node\.js 20 system-wide/);
    }
    assert.throws(() => checkPath('the checkout', '/home/pi/speech-satellite'), /Put the checkout under \/opt/);
    assert.throws(() => checkPath('the checkout', '/opt/speech satellite'), /spaces, quotes or backslashes/);
    assert.throws(() => checkPath('the checkout', 'opt/x'), /absolute/);
    checkPath('Node.js', '/usr/bin/node');
    checkPath('Node.js', '/usr/local/bin/node');
    checkPath('the checkout', '/opt/speech-satellite');
  });

  test('on the real system it refuses to run without root, before changing anything', (t) => {
    if (!need(t, isRoot() && hasCommand('setpriv'), 'needs root and setpriv to run the CLI as another user')) return;
    const r = spawnSync('setpriv', ['--reuid=54321', '--regid=54321', '--clear-groups', process.execPath, CLI, 'service', 'install'], {
      encoding: 'utf8',
      cwd: '/',
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: service install changes the system: run it as root \(sudo\), or with --root DIR/m);
    assert.doesNotMatch(r.stderr, /done before the error/);
  });
});

describe('satellite service status and uninstall --root', () => {
  test('status: 4 before install, 0 once installed as the service needs, 3 with a world-readable config', (t) => {
    if (!need(t, isRoot(), 'setting owners in the temporary root needs root')) return;
    const root = tempRoot({ service: true, inAudio: true });
    const before = cli(['status', '--root', root]);
    assert.equal(before.status, 4, before.stdout);
    assert.match(before.stdout, /^unit: +not installed$/m);

    json(cli(['install', '--root', root, '--json']));
    const after = cli(['status', '--root', root]);
    assert.equal(after.status, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /^unit: +\/etc\/systemd\/system\/speech-satellite\.service$/m);
    assert.match(after.stdout, new RegExp(`^runs: +${process.execPath} ${path.join(REPO_ROOT, 'dist/src/cli.js')} run$`, 'm'));
    assert.match(after.stdout, /^active: +unknown \(temporary root: systemctl is not asked\)$/m);
    assert.match(after.stdout, /^user: +speech-satellite \(groups: audio\)$/m);
    assert.match(after.stdout, /^config: +\/etc\/speech-satellite\/satellite\.yml \(0640 root:speech-satellite\)$/m);
    assert.doesNotMatch(after.stdout, /problem:/);

    chmodSync(path.join(root, 'etc/speech-satellite/satellite.yml'), 0o644);
    const open = cli(['status', '--root', root, '--json']);
    assert.equal(open.status, 3);
    const status = JSON.parse(open.stdout) as { installed: boolean; problems: string[] };
    assert.equal(status.installed, true);
    assert.ok(status.problems.some((p) => /readable by every user \(mode 0644/.test(p)), status.problems.join('\n'));
  });

  test('uninstall stops, disables and removes the unit and keeps config, models and user; --purge removes them too', () => {
    const root = tempRoot({ service: true, inAudio: true });
    json(cli(['install', '--root', root, '--json']));
    const kept = json(cli(['uninstall', '--root', root, '--json']));
    assert.deepEqual(runs(kept.actions), ['systemctl disable --now speech-satellite.service', 'systemctl daemon-reload']);
    assert.ok(!existsSync(path.join(root, 'etc/systemd/system/speech-satellite.service')));
    assert.ok(existsSync(path.join(root, 'etc/speech-satellite/satellite.yml')));
    assert.ok(existsSync(path.join(root, 'var/lib/speech-satellite/models')));
    assert.ok(kept.notes.some((n) => n.includes('--purge')));

    const again = json(cli(['uninstall', '--root', root, '--json']));
    assert.deepEqual(runs(again.actions), []);
    assert.ok(again.notes.some((n) => n.includes('is not installed')));

    const purged = json(cli(['uninstall', '--root', root, '--json', '--purge']));
    assert.deepEqual(runs(purged.actions), ['userdel speech-satellite']);
    assert.ok(!existsSync(path.join(root, 'etc/speech-satellite')));
    assert.ok(!existsSync(path.join(root, 'var/lib/speech-satellite')));
  });
});

describe('the host layer (what service install uses without --root)', () => {
  test('writes atomically with mode and owner looked up by name, runs and queries commands, fails with the output', (t) => {
    if (!need(t, isRoot(), 'setting owners needs root')) return;
    const host = new HostSystem();
    assert.equal(host.root, undefined);
    assert.equal(host.mayChange(), true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-host-'));
    const audio = host.group('audio');
    if (!need(t, audio !== undefined, 'the audio group is needed (Debian base-passwd has it)')) return;
    host.mkdir(path.join(dir, 'state'), 0o750, { user: 'root', group: 'audio' });
    host.write(path.join(dir, 'etc', 'satellite.yml'), 'name: x\n', 0o640, { user: 'root', group: 'audio' });
    const st = statSync(path.join(dir, 'etc', 'satellite.yml'));
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.gid, audio!.gid);
    assert.equal(statSync(path.join(dir, 'state')).mode & 0o7777, 0o750);
    assert.equal(host.user('root')?.uid, 0);
    assert.equal(host.user('no-such-user-here'), undefined);
    host.run(['true']);
    assert.equal(host.query(['sh', '-c', 'echo active; exit 3']).status, 3);
    assert.throws(() => host.run(['sh', '-c', 'echo useradd: group audio does not exist >&2; exit 6']), /exit 6\): useradd: group audio does not exist/);
    assert.throws(() => host.write(path.join(dir, 'x'), '', 0o600, { user: 'no-such-user-here', group: 'root' }), /no such user or group/);
    assert.ok(!existsSync(path.join(dir, 'x.satellite-new')), 'a failed write leaves no temporary file');
    assert.deepEqual(
      host.actions.map((a) => a.kind),
      ['mkdir', 'write', 'run', 'run'],
    );
    rmSync(dir, { recursive: true, force: true });
  });

  test('without systemd running, install refuses before changing anything', (t) => {
    if (!need(t, isRoot() && !existsSync('/run/systemd/system'), 'only where systemd is not PID 1 (a container)')) return;
    const r = cli(['install']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: systemd is not running on this machine/m);
    assert.doesNotMatch(r.stderr, /done before the error/);
  });
});
