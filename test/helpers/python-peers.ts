/**
 * The reference Wyoming peers (the `wyoming` library from PyPI, pinned in
 * test/peers/requirements.txt) for tests and benchmarks. The virtualenv is made once by
 * scripts/test-peers.mjs (which .ci/run calls before the tests) and reused afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './system.js';

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-peers.mjs');
/** Creating the virtualenv downloads from PyPI; past this the peers count as unavailable. */
const SETUP_TIMEOUT_MS = 360_000;

let resolved: { python: string } | { reason: string } | undefined;

/** The virtualenv's python, created on first use; undefined when it cannot be made. */
export function referencePython(): string | undefined {
  const r = resolvePython();
  return 'python' in r ? r.python : undefined;
}

/** Why `referencePython()` is undefined (for `need(t, …, reason)`). */
export function referencePythonReason(): string {
  const r = resolvePython();
  return 'reason' in r ? r.reason : '';
}

function resolvePython(): { python: string } | { reason: string } {
  if (!resolved) {
    const run = spawnSync(process.execPath, [SETUP_SCRIPT], { encoding: 'utf8', timeout: SETUP_TIMEOUT_MS });
    const python = run.stdout?.trim();
    resolved = run.status === 0 && python
      ? { python }
      : { reason: `the reference wyoming library could not be installed: ${(run.stderr || run.error?.message || '').trim()}` };
  }
  return resolved;
}

/** A script under test/peers/. */
export function peerScript(name: string): string {
  return path.join(REPO_ROOT, 'test', 'peers', name);
}

/** Starts `python test/peers/<script> args…` with piped stdio (stdin closing asks it to finish). */
export function spawnPeer(python: string, script: string, args: string[]): ChildProcess {
  return spawn(python, ['-u', peerScript(script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}
