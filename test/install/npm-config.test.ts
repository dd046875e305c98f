/**
 * Installing the project: npm prints no warning about the project's .npmrc (an unknown key there
 * "will stop working in the next major version of npm"), and onnxruntime-node's CUDA download is
 * kept off by the variable its own install script reads, set where the project runs `npm ci`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, hasCommand, need } from '../helpers/system.js';

const ORT_INSTALL = path.join(REPO_ROOT, 'node_modules', 'onnxruntime-node', 'script', 'install.js');

test('npm reads the project .npmrc without a warning', (t) => {
  if (!need(t, hasCommand('npm'), 'npm is not on PATH')) return;
  const keys = readFileSync(path.join(REPO_ROOT, '.npmrc'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith(';'))
    .map((l) => l.slice(0, l.indexOf('=')).trim());
  assert.ok(keys.length > 0);
  const r = spawnSync('npm', ['config', 'get', ...keys], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stderr.split('\n').filter((l) => /^npm (warn|WARN|error)/.test(l)), []);
});

test("onnxruntime-node's install script skips its CUDA download when ONNXRUNTIME_NODE_INSTALL=skip", (t) => {
  if (!need(t, existsSync(ORT_INSTALL), 'onnxruntime-node is not installed (npm ci)')) return;
  // No network is needed or tried: with the variable the script exits before resolving anything.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|ONNXRUNTIME_)/i.test(k)));
  const r = spawnSync(process.execPath, [ORT_INSTALL], { cwd: path.dirname(path.dirname(ORT_INSTALL)), env: { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(`${r.stdout}${r.stderr}`, '');
});

test('every place the project runs or tells you to run npm ci sets the variable', () => {
  const ci = readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
  const exportAt = ci.indexOf('export ONNXRUNTIME_NODE_INSTALL=skip');
  assert.ok(exportAt >= 0 && exportAt < ci.indexOf('\nnpm ci'), '.ci/run exports it before npm ci');
  // Every `npm ci` in the README's shell blocks, the quick start's included.
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands = blocks.flatMap((b) => b.split('\n')).filter((l) => /\bnpm ci\b/.test(l));
  assert.ok(commands.some((l) => l.includes('npm ci && npm start')), 'the quick start installs with npm ci');
  assert.ok(commands.length >= 3, commands.join('\n'));
  for (const line of commands) assert.match(line, /ONNXRUNTIME_NODE_INSTALL=skip npm ci/, line);
  assert.doesNotMatch(readFileSync(path.join(REPO_ROOT, '.npmrc'), 'utf8'), /onnxruntime/);
});
