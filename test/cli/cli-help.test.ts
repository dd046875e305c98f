/**
 * What the command line shows a person: each command's help lists its own options only and wraps
 * between words; a taken port is a coded error that asks about another instance; `devices` is not
 * preceded by ALSA's own complaints.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const ENV = { ...process.env, SATELLITE_MODELS__AUTO_PULL: 'false', SATELLITE_MDNS__ENABLED: 'false' };
const EXIT_WAIT_MS = 30_000;
const STACK_LINE = /^\s+at /m;
const DAEMON_FLAGS = ['--name', '--host', '--port'];

function run(args: string[], env: NodeJS.ProcessEnv = ENV) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: os.tmpdir(), env, timeout: EXIT_WAIT_MS });
}

describe('satellite help', () => {
  test('commands that do not start the daemon do not offer its --name, --host and --port', () => {
    for (const command of [['models', 'list'], ['models', 'pull'], ['transcribe'], ['speak'], ['devices']]) {
      const r = run([...command, '--help']);
      assert.equal(r.status, 0, r.stderr);
      for (const flag of DAEMON_FLAGS) assert.doesNotMatch(r.stdout, new RegExp(`^\\s+${flag}\\b`, 'm'), `satellite ${command.join(' ')} --help lists ${flag}`);
      assert.match(r.stdout, /--models-dir/);
    }
    for (const command of [['run'], ['config', 'print']]) {
      const r = run([...command, '--help']);
      for (const flag of DAEMON_FLAGS) assert.match(r.stdout, new RegExp(`^\\s+${flag}\\b`, 'm'), `satellite ${command.join(' ')} --help lacks ${flag}`);
    }
    const unknown = run(['transcribe', 'x.wav', '--port', '10300']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown argument: port/);
  });

  test('help text wraps between words', () => {
    const r = run(['speak', '--help']);
    assert.equal(r.status, 0, r.stderr);
    // the config path is a long word: it moves to the next line whole
    assert.ok(r.stdout.includes('/etc/speech-satellite/satellite.yml'), r.stdout);
    const words = new Set(r.stdout.split(/\s+/));
    for (const word of ['default:', 'tts.default_voice', 'installed']) assert.ok(words.has(word), `"${word}" is cut:\n${r.stdout}`);
  });
});

describe('satellite run and devices', () => {
  test('a port in use ends run with SAT_ERR_PORT_IN_USE, asking whether another instance is running', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-port-'));
    try {
      const child = spawn(process.execPath, [CLI, 'run', '--host', '127.0.0.1', '--port', String(port), '--set', `state_dir=${dir}`], {
        cwd: dir,
        env: ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      assert.equal(code, 1, output);
      const fatal = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['level'] === 'fatal');
      assert.ok(fatal, output);
      assert.equal(fatal['code'], 'SAT_ERR_PORT_IN_USE');
      assert.equal(fatal['port'], port);
      assert.match(String(fatal['msg']), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use: is another instance running\\?`));
      assert.equal(fatal['err'], undefined, 'no stack for an expected condition');
      assert.doesNotMatch(output, /EADDRINUSE/, 'the taken port is reported once, by the coded line');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  test('devices prints no "ALSA lib" lines of the sound library before the list', () => {
    const r = run(['devices']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /^ALSA lib /m);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });
});
