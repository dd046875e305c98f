/** Generates the structural ASR fixtures (scripts/fixtures/make-asr-fixtures.py) once per test process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AsrFamily } from '../../src/engines/asr/model-spec.js';
import { REPO_ROOT } from './system.js';

const PYTHONS = ['/usr/bin/python3', 'python3'];
let made: { dir: string } | { error: string } | undefined;

/** A python that can `import onnx, numpy` (Debian python3-onnx), if any. */
export function pythonWithOnnx(): string | undefined {
  return PYTHONS.find((p) => spawnSync(p, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0);
}

/**
 * Every generated fixture folder: its family and the text its token chain decodes to (designed
 * into scripts/fixtures/*.py; any audio long enough for the chain gives it).
 */
export const ASR_FIXTURES: Readonly<Record<string, { family: AsrFamily; text: string }>> = {
  'whisper-fixture.en': { family: 'whisper', text: 'hello world from' },
  'whisper-fixture': { family: 'whisper', text: 'hello world from' },
  'sense-voice-fixture': { family: 'sense-voice', text: 'hello fixture' },
  'moonshine-fixture': { family: 'moonshine', text: 'moonshine-fixture' },
  'moonshine-v2-fixture': { family: 'moonshine', text: 'moonshine v2 fixture' },
  'nemo-parakeet-tdt-fixture': { family: 'nemo-transducer', text: 'parakeet fixture' },
  'paraformer-fixture': { family: 'paraformer', text: 'paraformer fixture' },
};

/** Folder holding one sub-folder per ASR_FIXTURES entry; undefined with a reason when it cannot be made. */
export function asrFixtures(): { dir?: string; reason?: string } {
  if (!made) {
    const python = pythonWithOnnx();
    if (!python) made = { error: 'python3-onnx and python3-numpy are needed to generate the structural ONNX fixtures' };
    else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-asr-fixtures-'));
      const run = spawnSync(python, [path.join(REPO_ROOT, 'scripts', 'fixtures', 'make-asr-fixtures.py'), dir], { encoding: 'utf8' });
      made = run.status === 0 ? { dir } : { error: `fixture script failed: ${run.stderr}` };
    }
  }
  return 'dir' in made ? { dir: made.dir } : { reason: made.error };
}
