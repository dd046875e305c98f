/**
 * The Python anchors' virtualenvs: one per anchor, because their pins conflict (wyoming-
 * openwakeword and wyoming-bench hold older `wyoming` releases than wyoming-piper), each made
 * from a pinned requirements file in scripts/bench/ (anchors-requirements-<name>.txt) under
 * $SATELLITE_BENCH_CACHE (default ~/.cache/speech-satellite-bench), never on the daemon's path.
 * PyPI only, through pip; a second run reuses the venv (a stamp records the requirements' hash).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/system.js';

export type AnchorVenvName = 'lib' | 'piper' | 'whisper' | 'oww' | 'wbench';

export interface AnchorVenv {
  /** The venv's python, when it could be made. */
  python?: string;
  /** Its bin/ folder (console scripts). */
  bin?: string;
  /** Why there is none. */
  skipped?: string;
}

const INSTALL_TIMEOUT_MS = 900_000;
const STAMP = '.anchors-stamp';
/** Output tail kept from a command (wyoming-bench reports fit in it). */
const OUTPUT_KEPT = 256 * 1024;

export function benchCache(): string {
  return process.env['SATELLITE_BENCH_CACHE'] || path.join(os.homedir(), '.cache', 'speech-satellite-bench');
}

/** Where anchor reports (wyoming-bench output) go: next to bench-results.json. */
export function anchorReportDir(): string {
  const dir = path.resolve('bench-anchors');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function requirementsFile(name: AnchorVenvName): string {
  return path.join(REPO_ROOT, 'scripts', 'bench', `anchors-requirements-${name}.txt`);
}

/** Runs a command to its end without blocking the event loop; resolves with its status and output tail. */
export function runCommand(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const made = new Map<AnchorVenvName, Promise<AnchorVenv>>();

/** The anchor's venv, made on first use (minutes on a cold cache), or the reason it cannot be. */
export function anchorVenv(name: AnchorVenvName): Promise<AnchorVenv> {
  let p = made.get(name);
  if (!p) {
    p = makeVenv(name);
    made.set(name, p);
  }
  return p;
}

async function makeVenv(name: AnchorVenvName): Promise<AnchorVenv> {
  if (process.env['SATELLITE_BENCH_ANCHORS'] === '0') return { skipped: 'SATELLITE_BENCH_ANCHORS=0' };
  const reqs = requirementsFile(name);
  const text = readFileSync(reqs, 'utf8');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const dir = path.join(benchCache(), `venv-${name}-${hash}`);
  const python = path.join(dir, 'bin', 'python');
  const ok: AnchorVenv = { python, bin: path.join(dir, 'bin') };
  if (existsSync(path.join(dir, STAMP))) return ok;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(benchCache(), { recursive: true });
  const base = process.env['SATELLITE_BENCH_PYTHON'] || 'python3';
  const venv = await runCommand(base, ['-m', 'venv', dir], 300_000);
  if (venv.code !== 0) return { skipped: `no virtualenv (${base} -m venv failed: ${lastLine(venv.out)})` };
  process.stderr.write(`anchors: installing ${path.basename(reqs)} into ${dir} (pip, PyPI)…\n`);
  const pip = await runCommand(python, ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--prefer-binary', '-r', reqs], INSTALL_TIMEOUT_MS);
  if (pip.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `pip install -r ${path.basename(reqs)} failed: ${lastLine(pip.out)}` };
  }
  writeFileSync(path.join(dir, STAMP), `${text}\n`);
  return ok;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300);
}
