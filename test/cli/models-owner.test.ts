/**
 * `satellite models pull` run by root into a state dir another user owns (the service's
 * /var/lib/speech-satellite) writes as that user: the model, the lock file and the installer's work
 * folder end up owned by the user the service runs as, never by root. Real CLI, real downloads from
 * a loopback mirror of ../shared/models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCataloguePath, readCatalogueFile } from '../../src/models/catalogue.js';
import { hasSharedModels, isRoot, need, sharedModel } from '../helpers/system.js';
import { removeDir, SHARED_BYTES, tempDir } from '../models/fixtures.js';
import { MirrorServer } from '../models/mirror-server.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
/** A uid and gid with no passwd entry: the service user of this test. */
const OWNER = 54_321;

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SATELLITE_LOG__LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function everything(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((rel) => path.join(dir, rel));
}

test("models pull as root into the service's state dir leaves every file owned by the service user", async (t) => {
  if (!need(t, isRoot(), 'switching to the owner of the state dir needs root')) return;
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const server = await new MirrorServer().start();
  const dir = tempDir('cli-models-owner');
  try {
    const entry = readCatalogueFile(builtinCataloguePath()).models.find((e) => e.id === 'silero-vad-v6')!;
    server.route(entry.downloads[0]!.url, { file: sharedModel(SHARED_BYTES['silero-vad-v6']!) });
    // The layout of an installed service: a state dir owned by the service user, a config root owns.
    chmodSync(dir, 0o755);
    const state = path.join(dir, 'state');
    mkdirSync(state, { mode: 0o750 });
    chownSync(state, OWNER, OWNER);
    const config = path.join(dir, 'satellite.yml');
    writeFileSync(config, JSON.stringify({ state_dir: state, models: { mirrors: server.mirrors(), retries: 1, retry_base_ms: 10 } }), { mode: 0o644 });

    const r = await cli(['models', 'pull', 'silero-vad-v6', '--config', config]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^installed silero-vad-v6$/m);
    assert.match(r.stderr, new RegExp(`running as uid ${OWNER}, the owner of ${state.replaceAll('/', '\\/')}`));

    const files = everything(state);
    assert.ok(files.some((f) => path.basename(path.dirname(f)) === 'silero-vad-v6' && f.endsWith('.onnx')), files.join('\n'));
    assert.ok(files.some((f) => f.endsWith('models.lock.json')), files.join('\n'));
    const foreign = files.filter((f) => lstatSync(f).uid !== OWNER);
    assert.deepEqual(foreign, [], 'files root would have owned');
  } finally {
    await server.close();
    removeDir(dir);
  }
});

test('models commands run by root into a folder root owns stay root (nothing to switch to)', async (t) => {
  if (!need(t, isRoot(), 'needs root')) return;
  const dir = tempDir('cli-models-owner-root');
  try {
    const config = path.join(dir, 'satellite.yml');
    writeFileSync(config, JSON.stringify({ state_dir: path.join(dir, 'state') }));
    const r = await cli(['models', 'list', '--installed', '--json', '--config', config]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /running as/);
  } finally {
    removeDir(dir);
  }
});
