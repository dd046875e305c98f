import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { need, REPO_ROOT } from '../helpers/system.js';
import { REAL_MODEL_IDS } from '../helpers/real-models.js';

interface Pin {
  sha256: string;
  size: number;
}
interface Source extends Pin {
  registry: string;
  package: string;
  version: string;
  file: string;
  licence: string;
}
interface FileEntry extends Pin {
  path: string;
  source?: string;
  member?: string;
}
interface ModelEntry {
  id: string;
  licence: string;
  build: string;
  files: FileEntry[];
  inputs?: FileEntry[];
}

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'real-models', 'manifest.json'), 'utf8')) as {
  sources: Record<string, Source>;
  models: ModelEntry[];
};
const SHA256 = /^[0-9a-f]{64}$/;
const FETCH_TIMEOUT_MS = 900_000;

test('the real-model manifest pins every registry artifact and every file by SHA-256 and size, with a licence for each', () => {
  for (const [id, source] of Object.entries(manifest.sources)) {
    assert.ok(['pypi', 'npm', 'maven'].includes(source.registry), id);
    assert.match(source.sha256, SHA256, id);
    assert.ok(Number.isInteger(source.size) && source.size > 0, id);
    assert.ok(source.package && source.version && source.file && source.licence, id);
  }
  assert.deepEqual(manifest.models.map((m) => m.id).sort(), Object.values(REAL_MODEL_IDS).sort());
  for (const model of manifest.models) {
    assert.ok(model.licence, model.id);
    for (const f of [...model.files, ...(model.inputs ?? [])]) {
      assert.match(f.sha256, SHA256, `${model.id}/${f.path}`);
      assert.ok(Number.isInteger(f.size) && f.size > 0, `${model.id}/${f.path}`);
      if (f.source) assert.ok(manifest.sources[f.source], `${model.id}/${f.path} names an unknown source ${f.source}`);
      assert.ok(!path.isAbsolute(f.path) && !f.path.split('/').includes('..'), f.path);
    }
  }
});

test('the fetched real-model folders hold exactly the pinned files (every file re-hashed)', (t) => {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'real-models.mjs'), '--verify', '--quiet'], { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS });
  if (!need(t, run.status === 0, `scripts/real-models.mjs --verify failed: ${(run.stderr || run.error?.message || '').trim()}`)) return;
  const folders = run.stdout.trim().split('\n').map((line) => line.split('\t'));
  assert.deepEqual(folders.map(([id]) => id), manifest.models.map((m) => m.id));
  for (const [, dir] of folders) assert.ok(dir && path.isAbsolute(dir));
});
