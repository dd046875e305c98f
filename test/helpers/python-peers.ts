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

/** What Home Assistant reads from an endpoint's `info` (test/peers/ha-info-view.py, through the `wyoming` library). */
export interface HaInfoView {
  name: string | null;
  satellite: boolean;
  wake_words: Array<{ id: string; name: string; phrase: string | null }>;
  satellite_wake_phrases: Record<string, string>;
  tts: { languages: string[]; voices: string[] };
  devices: Array<{ kind: 'mic' | 'snd'; name: string; installed: boolean; description: string | null }>;
  unversioned: string[];
}

/** Runs ha-info-view.py against 127.0.0.1:`port`; rejects with its stderr when it fails. */
export function haInfoView(python: string, port: number): Promise<HaInfoView> {
  return new Promise((resolve, reject) => {
    const child = spawnPeer(python, 'ha-info-view.py', ['--port', String(port)]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin!.end();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as HaInfoView);
      else reject(new Error(`ha-info-view.py exited with ${code}: ${stderr.trim()}`));
    });
  });
}
