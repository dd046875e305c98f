/** The CLI refuses an older Node.js before loading anything else: one line on stderr, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/** Runs the CLI in a Node.js that says it is `version` (a preload rewrites process.versions before the CLI starts). */
function runAs(version: string, args: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-node-'));
  try {
    const preload = path.join(dir, 'fake-node-version.cjs');
    writeFileSync(
      preload,
      `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n` +
        `Object.defineProperty(process, 'version', { value: 'v' + ${JSON.stringify(version)} });\n`,
    );
    return spawnSync(process.execPath, ['--require', preload, CLI, ...args], { encoding: 'utf8', cwd: os.tmpdir(), timeout: 30_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('on Node.js 18 every command prints one line naming the version and exits 1', () => {
  for (const args of [['run'], ['--version'], ['models', 'list']]) {
    const r = runAs('18.20.4', args);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^error: speech-satellite needs Node\.js 20 or later, but this is Node\.js 18\.20\.4 \(.+\); see "Installing Node\.js 20"/);
  }
});

test('on Node.js 20 the same preload changes nothing', () => {
  const r = runAs('20.11.1', ['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});
