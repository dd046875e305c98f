import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCataloguePath, readCatalogueFile } from '../../src/models/catalogue.js';
import { readLock } from '../../src/models/lock-file.js';
import { hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { removeDir, SHARED_BYTES, tempDir, writeCatalogue } from '../models/fixtures.js';
import { MirrorServer } from '../models/mirror-server.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child process without blocking this process (the mirror server lives here). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SATELLITE_LOG__LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function setup(): Promise<{ server: MirrorServer; dir: string; modelsDir: string; config: string; close: () => Promise<void> }> {
  const server = await new MirrorServer().start();
  const builtin = readCatalogueFile(builtinCataloguePath());
  for (const [id, rel] of Object.entries(SHARED_BYTES)) {
    server.route(builtin.models.find((e) => e.id === id)!.downloads[0]!.url, { file: sharedModel(rel) });
  }
  const dir = tempDir('cli-models');
  const modelsDir = path.join(dir, 'models');
  const config = path.join(dir, 'satellite.yml');
  writeFileSync(config, JSON.stringify({ models_dir: modelsDir, models: { mirrors: server.mirrors(), retries: 1, retry_base_ms: 10 } }));
  return {
    server,
    dir,
    modelsDir,
    config,
    close: async () => {
      await server.close();
      removeDir(dir);
    },
  };
}

test('models list shows the catalogue with sizes, licences and engines; pull --defaults installs the default preset and --json marks it installed', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const s = await setup();
  try {
    const table = await cli(['models', 'list', '--config', s.config]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /silero-vad-v6\s+vad\s+stt \(VAD\): silero\s+2\.2 MB\s+MIT/);
    assert.match(table.stdout, /oww-hey-jarvis .*\[non-commercial\]/);
    assert.match(table.stdout, /licence-clean/);
    // --defaults takes the `defaults` preset, here narrowed by an extra catalogue to what the mirror holds
    const extra = writeCatalogue(s.dir, [], { defaults: { description: 'test', models: ['silero-vad-v6', 'oww-hey-jarvis'] } });
    writeFileSync(s.config, JSON.stringify({ ...JSON.parse(readFileSync(s.config, 'utf8')), models: { mirrors: s.server.mirrors(), catalogues: [extra] } }));
    const pulled = await cli(['models', 'pull', '--defaults', '--config', s.config]);
    assert.equal(pulled.status, 0, pulled.stderr);
    const json = await cli(['models', 'list', '--json', '--installed', '--config', s.config]);
    const rows = JSON.parse(json.stdout) as Array<{ id: string; state: string; installed: { trust: string } | null }>;
    assert.deepEqual(
      rows.map((r) => [r.id, r.state, r.installed?.trust]),
      ['silero-vad-v6', 'oww-melspectrogram', 'oww-embedding', 'oww-hey-jarvis'].map((id) => [id, 'installed', 'pinned']),
    );
  } finally {
    await s.close();
  }
});

test('models pull prints the licence of a non-commercial model first, and two pull processes at once download each file once', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const s = await setup();
  try {
    const [a, b] = await Promise.all([cli(['models', 'pull', 'oww-alexa', '--config', s.config]), cli(['models', 'pull', 'oww-alexa', '--config', s.config])]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const out = a.stdout + b.stdout;
    assert.equal((out.match(/^installed oww-alexa$/gm) ?? []).length, 1, out);
    assert.equal((out.match(/^already installed oww-alexa$/gm) ?? []).length, 1, out);
    assert.match(a.stderr + b.stderr, /licence of oww-alexa: CC-BY-NC-SA-4\.0 \[non-commercial\]/);
    for (const id of ['oww-melspectrogram', 'oww-embedding', 'oww-alexa']) {
      const url = readCatalogueFile(builtinCataloguePath()).models.find((e) => e.id === id)!.downloads[0]!.url;
      assert.equal(s.server.requestsFor(url).length, 1, `${id} fetched once`);
    }
  } finally {
    await s.close();
  }
});

test('models verify exits 1 naming a file edited after install, and remove deletes the model', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const s = await setup();
  try {
    assert.equal((await cli(['models', 'pull', 'silero-vad-v5', 'silero-vad-v6', '--config', s.config])).status, 0);
    const ok = await cli(['models', 'verify', '--config', s.config]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^ok silero-vad-v5$/m);
    appendFileSync(path.join(s.modelsDir, 'silero-vad-v6', 'silero_vad.onnx'), 'tampered');
    const bad = await cli(['models', 'verify', '--config', s.config]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /FAILED silero-vad-v6: file modified or missing: modified silero-vad-v6\/silero_vad\.onnx/);
    assert.match(bad.stdout, /satellite models pull --force silero-vad-v6/);
    const removed = await cli(['models', 'remove', 'silero-vad-v6', '--config', s.config]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal(existsSync(path.join(s.modelsDir, 'silero-vad-v6')), false);
    assert.deepEqual(Object.keys((await readLock(s.modelsDir)).models), ['silero-vad-v5']);
  } finally {
    await s.close();
  }
});

test('models pull with an unknown name or nothing to pull fails with a clear message', async () => {
  const dir = tempDir('cli-models-bad');
  try {
    const unknown = await cli(['models', 'pull', 'no-such-model', '--models-dir', dir]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown model "no-such-model".*SAT_ERR_MODEL_UNKNOWN/);
    const nothing = await cli(['models', 'pull', '--models-dir', dir]);
    assert.equal(nothing.status, 1);
    assert.match(nothing.stderr, /--defaults/);
    const preset = await cli(['models', 'pull', '--preset', 'nope', '--models-dir', dir]);
    assert.match(preset.stderr, /unknown preset "nope"/);
  } finally {
    removeDir(dir);
  }
});

test('models pull with no network stops at the first "cannot reach" answer and says what to set', async () => {
  // a port nobody listens on: connections are refused, as with no route to the publisher
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const dead = `http://127.0.0.1:${(probe.address() as net.AddressInfo).port}/`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = tempDir('cli-offline');
  try {
    const config = path.join(dir, 'satellite.yml');
    // the default retries and backoff: trying each model again would take minutes
    const mirrors = { 'https://github.com/': dead, 'https://huggingface.co/': dead, 'https://raw.githubusercontent.com/': dead };
    writeFileSync(config, JSON.stringify({ models_dir: path.join(dir, 'models'), models: { mirrors } }));
    const r = await cli(['models', 'pull', '--defaults', '--config', config], { SATELLITE_LOG__LEVEL: 'info' });
    assert.equal(r.status, 1, r.stderr);
    const failed = r.stderr.split('\n').filter((l) => l.startsWith('failed '));
    assert.equal(failed.length, 1, r.stderr);
    assert.match(failed[0]!, /^failed silero-vad-v6: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*\[SAT_ERR_MODEL_OFFLINE\]$/);
    assert.match(r.stderr, /^not tried \(no network\): oww-melspectrogram, .*piper-en_US-lessac-medium$/m);
    assert.match(r.stderr, /HTTPS_PROXY/);
    assert.match(r.stderr, /models\.mirrors/);
    assert.doesNotMatch(r.stdout + r.stderr, /retrying/);
  } finally {
    removeDir(dir);
  }
});

test('models list --help explains the PIN and STATE columns', async () => {
  const r = await cli(['models', 'list', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /PIN {5}how the catalogue knows the SHA-256 digests/);
  for (const grade of ['A = from the publisher', 'A- = ', 'B = several', 'C = one third party', 'tofu = none published', 'local = imported']) {
    assert.ok(r.stdout.includes(grade), `${grade} explained:\n${r.stdout}`);
  }
  assert.match(r.stdout, /STATE {3}installed \(pinned\|tofu\)/);
});

test('models import-piper installs a wyoming-piper voice as a sherpa-onnx voice and verify covers it', async (t) => {
  const { systemEspeakDataDir, writeRawPiperVoice } = await import('../../scripts/fixtures/tts-fixtures.js');
  if (!need(t, systemEspeakDataDir() !== null, 'espeak-ng data (apt install espeak-ng) missing')) return;
  const dir = tempDir('cli-import');
  try {
    const onnx = writeRawPiperVoice(path.join(dir, 'voices'), { name: 'en_US-kitchen-low' });
    const modelsDir = path.join(dir, 'models');
    const imported = await cli(['models', 'import-piper', onnx, '--models-dir', modelsDir]);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /imported voice en_US-kitchen-low/);
    assert.ok(existsSync(path.join(modelsDir, 'en_US-kitchen-low', 'tokens.txt')));
    assert.equal((await readLock(modelsDir)).models['en_US-kitchen-low']?.trust, 'tofu');
    const verified = await cli(['models', 'verify', '--models-dir', modelsDir]);
    assert.match(verified.stdout, /^ok en_US-kitchen-low$/m);
    // an imported voice is installed, though the catalogue does not list it
    const table = await cli(['models', 'list', '--installed', '--models-dir', modelsDir]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^en_US-kitchen-low\s+tts\s+tts: piper \(imported\)\s+\S+ \S*B\s+\?\s+local\s+installed \(tofu\)$/m);
    const json = JSON.parse((await cli(['models', 'list', '--installed', '--json', '--models-dir', modelsDir])).stdout) as Array<Record<string, unknown>>;
    const row = json.find((r) => r['id'] === 'en_US-kitchen-low');
    assert.equal(row?.['state'], 'installed');
    assert.equal(row?.['backend'], 'piper');
    assert.match(String(row?.['imported']), /^file:\/\/.*en_US-kitchen-low\.onnx$/);
    const again = await cli(['models', 'import-piper', onnx, '--models-dir', modelsDir]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /SAT_ERR_MODEL_EXISTS/);
  } finally {
    removeDir(dir);
  }
});
