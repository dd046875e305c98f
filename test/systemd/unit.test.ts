import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderUnit } from '../../src/service/layout.js';
import { PROJECT_URL } from '../../src/version.js';
import { REPO_ROOT, hasCommand, need } from '../helpers/system.js';

const UNIT = path.join(REPO_ROOT, 'systemd', 'speech-satellite.service');
/** `systemd-analyze security` rated the unit 5.5 MEDIUM before the sandboxing of issue 14; it is 1.3 now. */
const MAX_EXPOSURE = 2.0;

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

function verify(unit: string): { problems: string[]; status: number | null } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
  return { problems: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(path.basename(unit))), status: r.status };
}

test('the unit passes systemd-analyze verify', (t) => {
  if (!need(t, hasCommand('systemd-analyze'), 'systemd-analyze not installed (Debian package systemd)')) return;
  const { problems, status } = verify(UNIT);
  assert.deepEqual(problems, []);
  assert.equal(status, 0);
});

test('systemd-analyze security rates the unit 2.0 or better (OK), offline', (t) => {
  if (!need(t, hasCommand('systemd-analyze'), 'systemd-analyze not installed (Debian package systemd)')) return;
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT], { encoding: 'utf8' });
  const line = /Overall exposure level for speech-satellite\.service: ([\d.]+) (\w+)/.exec(r.stdout);
  assert.ok(line, `no overall exposure line in:\n${r.stdout}${r.stderr}`);
  const score = Number(line[1]);
  assert.ok(score <= MAX_EXPOSURE, `exposure ${score} ${line[2]} is above ${MAX_EXPOSURE}:\n${r.stdout.split('\n').filter((l) => l.includes('✗')).join('\n')}`);
});

test('the unit runs as a dedicated user with audio access and the Node-safe hardening', () => {
  const d = directives(readFileSync(UNIT, 'utf8'));
  assert.deepEqual(d.get('Type'), ['exec']);
  assert.deepEqual(d.get('Restart'), ['on-failure']);
  assert.deepEqual(d.get('User'), ['speech-satellite']);
  assert.deepEqual(d.get('SupplementaryGroups'), ['audio']);
  assert.deepEqual(d.get('StateDirectory'), ['speech-satellite']);
  assert.deepEqual(d.get('DevicePolicy'), ['closed']);
  assert.deepEqual(d.get('DeviceAllow'), ['char-alsa rw']);
  assert.equal(d.has('MemoryDenyWriteExecute'), false, 'V8 needs writable+executable memory');
  assert.equal(d.has('PrivateDevices'), false, 'PrivateDevices hides /dev/snd');
  assert.match(d.get('RestrictAddressFamilies')?.[0] ?? '', /AF_NETLINK/);
});

test('the unit drops every capability, filters system calls softly and hides other processes', () => {
  const d = directives(readFileSync(UNIT, 'utf8'));
  assert.deepEqual(d.get('CapabilityBoundingSet'), ['']);
  assert.deepEqual(d.get('AmbientCapabilities'), ['']);
  assert.deepEqual(d.get('SystemCallFilter'), ['@system-service @pkey', '~@privileged @resources']);
  assert.deepEqual(d.get('SystemCallErrorNumber'), ['EPERM'], 'a denied call must fail, not kill the daemon');
  assert.deepEqual(d.get('ProtectProc'), ['invisible']);
  assert.equal(d.has('ProcSubset'), false, 'ProcSubset=pid hides /proc/cpuinfo, which onnxruntime reads');
  assert.deepEqual(d.get('PrivateUsers'), ['yes']);
  assert.deepEqual(d.get('UMask'), ['0027']);
  assert.ok(d.get('Documentation')?.[0]?.startsWith(PROJECT_URL), 'Documentation= names the project');
});

test('the unit as service install writes it (this Node.js, this checkout) passes verify too', (t) => {
  if (!need(t, hasCommand('systemd-analyze'), 'systemd-analyze not installed (Debian package systemd)')) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-unit-'));
  const file = path.join(dir, 'speech-satellite.service');
  const rendered = renderUnit(readFileSync(UNIT, 'utf8'), { appDir: REPO_ROOT, nodePath: process.execPath, nodeVersion: process.versions.node });
  writeFileSync(file, rendered);
  const d = directives(rendered);
  assert.deepEqual(d.get('ExecStart'), [`${process.execPath} ${path.join(REPO_ROOT, 'dist', 'src', 'cli.js')} run`]);
  assert.deepEqual(d.get('WorkingDirectory'), [REPO_ROOT]);
  const { problems, status } = verify(file);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(problems, []);
  assert.equal(status, 0);
});
