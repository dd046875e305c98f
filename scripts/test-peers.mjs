#!/usr/bin/env node
// Creates (once) the virtualenv holding the reference Wyoming peers of test/peers/requirements.txt
// and prints its python. The folder name carries a hash of the requirements, so a changed pin gets
// a fresh virtualenv and an unchanged one is reused. Used by .ci/run before `npm test` and by
// test/helpers/python-peers.ts on first use; both therefore agree on the location.
//
//   node scripts/test-peers.mjs          prints the python path; exit 1 with a reason on stderr
//
// Location: $SATELLITE_TEST_CACHE (default ~/.cache/speech-satellite-test)/venv-<hash>.
// Base interpreter: $SATELLITE_TEST_PYTHON (default python3 on PATH).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIREMENTS = fileURLToPath(new URL('../test/peers/requirements.txt', import.meta.url));
/** pip against PyPI: long enough for a slow mirror, short enough that a dead network fails the step. */
const PIP_TIMEOUT_MS = 300_000;
const HASH_CHARS = 16;

function cacheRoot() {
  return process.env.SATELLITE_TEST_CACHE || path.join(os.homedir(), '.cache', 'speech-satellite-test');
}

function venvDir(requirements) {
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, HASH_CHARS);
  return path.join(cacheRoot(), `venv-${hash}`);
}

/** The pinned `name==version` pairs, for checking what the virtualenv really holds. */
function pins(requirements) {
  return requirements
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => /^([A-Za-z0-9_.-]+)==([^\s;]+)/.exec(line))
    .filter(Boolean)
    .map((m) => ({ name: m[1], version: m[2] }));
}

function run(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: PIP_TIMEOUT_MS });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return r.stdout;
}

function pythonOf(dir) {
  return path.join(dir, 'bin', 'python');
}

/** True when `python` has every pinned distribution at its pinned version. */
function satisfies(python, wanted) {
  if (!existsSync(python)) return false;
  const code = `import importlib.metadata as m, json, sys\nfor p in json.loads(sys.argv[1]):\n  assert m.version(p['name']) == p['version'], p`;
  return spawnSync(python, ['-c', code, JSON.stringify(wanted)], { stdio: 'ignore' }).status === 0;
}

export function ensureVenv() {
  const requirements = readFileSync(REQUIREMENTS, 'utf8');
  const wanted = pins(requirements);
  const dir = venvDir(requirements);
  if (satisfies(pythonOf(dir), wanted)) return pythonOf(dir);
  // Built beside the final folder and renamed into place, so parallel test processes never see
  // (or reuse) a half-installed virtualenv.
  mkdirSync(cacheRoot(), { recursive: true });
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    run(process.env.SATELLITE_TEST_PYTHON || 'python3', ['-m', 'venv', staging]);
    const pipArgs = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--require-hashes', '-r', REQUIREMENTS];
    run(pythonOf(staging), pipArgs);
    if (!satisfies(pythonOf(staging), wanted)) throw new Error('installed versions differ from the pins');
    // another process may have finished meanwhile; only a broken copy is replaced
    if (satisfies(pythonOf(dir), wanted)) return pythonOf(dir);
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(staging, dir);
    } catch (err) {
      // another process finished first; use its copy when it is complete
      if (!satisfies(pythonOf(dir), wanted)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return pythonOf(dir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureVenv()}\n`);
  } catch (err) {
    process.stderr.write(`reference Wyoming peers unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
