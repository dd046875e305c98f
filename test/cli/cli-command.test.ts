/**
 * The command the daemon's hints name ("models missing: … get them with: …") works from where the
 * person is: the `satellite` bin when it is on PATH, `npx satellite` inside the project folder
 * (npx elsewhere would fetch an unrelated package), else node with the CLI's full path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliCommand, pullCommandFor } from '../../src/wiring/models.js';
import { REPO_ROOT } from '../helpers/system.js';

test('the hint names satellite when it is on PATH, npx satellite in the project folder, else node with the CLI path', () => {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'satellite-bin-'));
  try {
    writeFileSync(path.join(bin, 'satellite'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'satellite'), 0o755);
    assert.equal(cliCommand({ PATH: bin }, os.tmpdir()), 'satellite');
    assert.equal(cliCommand({ PATH: '' }, REPO_ROOT), 'npx satellite');
    assert.equal(cliCommand({ PATH: '' }, path.join(REPO_ROOT, 'test')), 'npx satellite');
    const elsewhere = cliCommand({ PATH: '' }, os.tmpdir());
    const match = /^node (\S+cli\.js)$/.exec(elsewhere);
    assert.ok(match, elsewhere);
    assert.ok(existsSync(match[1]!), `${match[1]} exists`);
    // and that command really is the CLI
    const r = spawnSync(process.execPath, [match[1]!, '--version'], { encoding: 'utf8', cwd: os.tmpdir() });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
  assert.match(pullCommandFor('defaults'), /^(satellite|npx satellite|node \S+cli\.js) models pull --defaults$/);
  assert.match(pullCommandFor('small'), / models pull --preset small$/);
});
