import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, hasCommand, need } from '../helpers/system.js';

const UNIT = path.join(REPO_ROOT, 'systemd', 'speech-satellite.service');

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

test('the unit passes systemd-analyze verify', (t) => {
  if (!need(t, hasCommand('systemd-analyze'), 'systemd-analyze not installed (Debian package systemd)')) return;
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', UNIT], { encoding: 'utf8' });
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('speech-satellite.service'));
  assert.deepEqual(problems, []);
  assert.equal(r.status, 0);
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
