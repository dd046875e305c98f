/**
 * The daemon's log output under systemd: when stdout is the journal's stream ($JOURNAL_STREAM names
 * its device and inode, as systemd sets it), one readable line per event with a `<N>` priority
 * prefix; JSON when the variable is only inherited (stdout is elsewhere) or JSON is asked for.
 * The real CLI runs as a child process (loopback, no mDNS, no downloads) with stdout on a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const PRIORITY_LINE = /^<[0-7]>/;

/** This process's environment without SATELLITE_* settings that would change the child's log or config. */
function ownEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SATELLITE_')));
}

/** Runs `satellite run` until `ready`, then SIGTERM; returns stdout's lines. `journal`: JOURNAL_STREAM matches stdout, or names another stream. */
async function runDaemon(journal: 'matching' | 'inherited', log: Record<string, unknown> = {}): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-journal-'));
  try {
    const config = path.join(dir, 'satellite.yml');
    writeFileSync(
      config,
      stringify({
        state_dir: path.join(dir, 'state'),
        log: { level: 'info', ...log },
        provider: { host: '127.0.0.1', port: 0 },
        mdns: { enabled: false },
        models: { auto_pull: false },
      }),
    );
    const outFile = path.join(dir, 'stdout');
    const fd = openSync(outFile, 'w');
    const st = fstatSync(fd, { bigint: true });
    const stream = journal === 'matching' ? `${st.dev}:${st.ino}` : `${st.dev}:${st.ino + 1n}`;
    const child = spawn(process.execPath, [CLI, 'run', '--config', config], {
      stdio: ['ignore', fd, 'pipe'],
      env: { ...ownEnv(), JOURNAL_STREAM: stream },
    });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!/\bready\b/.test(readFileSync(outFile, 'utf8'))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`daemon not ready:\n${readFileSync(outFile, 'utf8')}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    return readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('under journald each event is one readable line with its <N> priority, no JSON', async () => {
  const lines = await runDaemon('matching');
  assert.ok(lines.length >= 3, lines.join('\n'));
  for (const line of lines) {
    assert.match(line, PRIORITY_LINE, `no priority prefix: ${line}`);
    assert.doesNotMatch(line, /^<\d>\{/, `JSON under journald: ${line}`);
  }
  assert.ok(lines.some((l) => /^<6>starting speech-satellite version=/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^<6>ready endpoints=\{"provider":"127\.0\.0\.1:\d+"\}$/.test(l)), lines.join('\n'));
  for (const line of lines.filter((l) => !l.startsWith('<6>'))) assert.match(line, /^<[2347]>(FATAL|ERROR|WARN|DEBUG) /);
});

test('a JOURNAL_STREAM inherited by a process whose stdout goes elsewhere gives JSON lines', async () => {
  const lines = await runDaemon('inherited');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  assert.ok(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'ready'));
});

test('log.format json under journald gives JSON lines behind the priority prefix', async () => {
  const lines = await runDaemon('matching', { format: 'json' });
  for (const line of lines) {
    const m = /^<([0-7])>(\{.*\})$/.exec(line);
    assert.ok(m, `not <N>{json}: ${line}`);
    const level = (JSON.parse(m[2]!) as { level: string }).level;
    assert.equal(m[1], String({ fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 }[level]));
  }
});
