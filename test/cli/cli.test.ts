import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WyomingTestClient } from '../helpers/wyoming-client.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const ENV = { ...process.env, SATELLITE_MODELS__AUTO_PULL: 'false', SATELLITE_MDNS__ENABLED: 'false' };

function run(args: string[], cwd = os.tmpdir()) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: ENV });
}

describe('satellite command line', () => {
  test('--help lists the commands', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const command of ['run', 'config', 'models', 'devices', 'transcribe', 'speak']) assert.match(r.stdout, new RegExp(`satellite ${command}`));
  });

  test('--version prints the package version', () => {
    const r = run(['--version']);
    assert.equal(r.status, 0);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('config check exits 0 for a valid file and 2 with the bad paths for an invalid one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-cli-'));
    writeFileSync(path.join(dir, 'good.yml'), 'name: kitchen\nprovider:\n  port: 10301\n');
    writeFileSync(path.join(dir, 'bad.yml'), 'provider:\n  port: 99999\n');
    const good = run(['config', 'check', path.join(dir, 'good.yml')]);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /valid/);
    const bad = run(['config', 'check', path.join(dir, 'bad.yml')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /provider\.port/);
  });

  test('config print shows the effective config with secrets redacted', () => {
    const r = spawnSync(process.execPath, [CLI, 'config', 'print', '--json', '--set', 'mqtt.password=hunter2', '--name', 'den'], {
      encoding: 'utf8',
      cwd: os.tmpdir(),
      env: ENV,
    });
    assert.equal(r.status, 0, r.stderr);
    const shown = JSON.parse(r.stdout) as { name: string; mqtt: { password: string } };
    assert.equal(shown.name, 'den');
    assert.equal(shown.mqtt.password, '[redacted]');
  });

  test('config schema prints a JSON Schema', () => {
    const r = run(['config', 'schema']);
    assert.equal(r.status, 0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    assert.ok(schema.properties['provider']);
  });

  test('an unknown command exits 2', () => {
    assert.equal(run(['frobnicate']).status, 2);
  });

  test('run with no config file serves describe, and SIGTERM exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-run-'));
    const child = spawn(process.execPath, [CLI, 'run', '--port', '0', '--host', '127.0.0.1', '--set', `state_dir=${dir}`], {
      cwd: dir,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"endpoint":"provider".*?"port":(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    assert.match(output, /no config file found; using built-in defaults/);
    const client = await WyomingTestClient.connect(port);
    client.send('describe', {});
    const info = await client.waitForType('info');
    assert.equal(info.data['satellite'], undefined);
    assert.ok(Array.isArray(info.data['asr']));
    client.close();
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
});
