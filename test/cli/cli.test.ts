import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const ENV = { ...process.env, SATELLITE_MODELS__AUTO_PULL: 'false', SATELLITE_MDNS__ENABLED: 'false' };

/** Kills a command that wrongly starts serving instead of exiting. */
const EXIT_WAIT_MS = 30_000;
const STACK_LINE = /^\s+at /m;

function run(args: string[], cwd = os.tmpdir(), env: NodeJS.ProcessEnv = ENV) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env, timeout: EXIT_WAIT_MS });
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

  test('config check rejects unknown options in every section with exit 2, naming each path', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-cli-'));
    const file = path.join(dir, 'typos.yml');
    writeFileSync(file, 'http:\n  enabled: true\n  apikey: s3cret\nmqtt:\n  tls:\n    cafile: /etc/ca.pem\ntts:\n  cache:\n    maxentries: 3\naudio:\n  mic:\n    rat: 16000\n');
    const r = run(['config', 'check', file]);
    assert.equal(r.status, 2, r.stdout);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /http\.apikey: unknown option \(did you mean api_key\?\)/);
    for (const p of ['mqtt.tls.cafile', 'tts.cache.maxentries', 'audio.mic.rat']) assert.match(r.stderr, new RegExp(`${p.replaceAll('.', '\\.')}: unknown option`));
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  test('a bad environment value stops every command that reads the config with exit 2, the bad paths and no stack', () => {
    const env = { ...ENV, SATELLITE_PROVIDER__PORT: 'abc', SATELLITE_LOG__LEVEL: 'loud' };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-cli-'));
    const commands = [
      ['config', 'print'],
      ['config', 'check'],
      ['run', '--host', '127.0.0.1', '--set', `state_dir=${dir}`],
      ['models', 'list'],
      ['devices', '--backend', 'alsa'],
      ['transcribe', path.join(dir, 'none.wav')],
      ['speak', 'hello', '-o', path.join(dir, 'out.wav')],
    ];
    for (const args of commands) {
      const r = run(args, dir, env);
      const what = `satellite ${args.join(' ')}: ${r.stderr}`;
      assert.equal(r.status, 2, what);
      assert.match(r.stderr, /provider\.port/, what);
      assert.match(r.stderr, /log\.level/, what);
      assert.doesNotMatch(r.stderr, STACK_LINE, what);
      assert.equal(r.stdout, '', what);
    }
  });

  test('--set without a value is a usage error with exit 2', () => {
    const r = run(['config', 'print', '--set', 'mqtt.url']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--set expects path=value/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  test('config print hides the password in mqtt.url but shows the user name and host', () => {
    const r = run(['config', 'print', '--set', 'mqtt.url=mqtt://bob:hunter2@broker.lan:1883']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /hunter2/);
    assert.match(r.stdout, /url: mqtt:\/\/bob:\[redacted\]@broker\.lan:1883/);
    const json = run(['config', 'print', '--json'], os.tmpdir(), { ...ENV, SATELLITE_MQTT__URL: 'mqtts://bob:hunter2@broker.lan:8883' });
    assert.equal(json.status, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { mqtt: { url: string } }).mqtt.url, 'mqtts://bob:[redacted]@broker.lan:8883');
  });

  test('a bare satellite prints the usage and exits 2 instead of starting the daemon', () => {
    const r = run([]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /satellite run/);
    assert.match(r.stderr, /Commands:/);
    assert.doesNotMatch(r.stdout + r.stderr, /"endpoint"|listening/);
  });

  test('npm start and the systemd unit start the daemon with an explicit run', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts['start'] ?? '', /cli\.js run(\s|$)/);
    const unit = readFileSync(path.join(REPO_ROOT, 'systemd', 'speech-satellite.service'), 'utf8');
    assert.match(unit, /^ExecStart=\S+ \S+cli\.js run(\s|$)/m);
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
