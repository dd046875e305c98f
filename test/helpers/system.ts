/**
 * Skipping tests that need a system part (root, mosquitto, a model folder): skipped with a printed
 * reason, except under SATELLITE_TEST_STRICT=1 (CI), where a missing part fails the test.
 */
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';

export const STRICT = process.env['SATELLITE_TEST_STRICT'] === '1';

/** Returns true when the test may go on; otherwise skips it (or fails it under strict mode). */
export function need(t: TestContext, available: boolean, reason: string): boolean {
  if (available) return true;
  if (STRICT) throw new Error(`required for this test under SATELLITE_TEST_STRICT=1: ${reason}`);
  process.stdout.write(`# skipped: ${reason}\n`);
  t.skip(reason);
  return false;
}

/**
 * For optional real-model tests driven by an env var (e.g. SATELLITE_TEST_WHISPER_MODEL): these
 * skip with a reason even under strict mode, since CI cannot download the weights.
 */
export function optional(t: TestContext, available: boolean, reason: string): boolean {
  if (available) return true;
  process.stdout.write(`# skipped: ${reason}\n`);
  t.skip(reason);
  return false;
}

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The repository root (tests run from it: `npm test`). */
export const REPO_ROOT = process.cwd();

/** `../shared/models`, overridable with SATELLITE_MODELS_SHARED. */
export const SHARED_MODELS = process.env['SATELLITE_MODELS_SHARED'] ?? path.resolve(REPO_ROOT, '..', 'shared', 'models');

export function sharedModel(...parts: string[]): string {
  return path.join(SHARED_MODELS, ...parts);
}

export function hasSharedModels(): boolean {
  return existsSync(path.join(SHARED_MODELS, 'MODELS.md'));
}
