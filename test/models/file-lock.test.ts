import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { withFileLock } from '../../src/models/file-lock.js';
import { authHeaders } from '../../src/models/manager.js';
import { removeDir, tempDir } from './fixtures.js';

test('work under one lock runs one at a time in order, and the lock file is gone afterwards', async () => {
  const dir = tempDir('lock');
  try {
    const lockPath = path.join(dir, 'locks', 'm.lock');
    const events: string[] = [];
    const job = (name: string) =>
      withFileLock(lockPath, async () => {
        events.push(`${name} start`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name} end`);
        return name;
      });
    assert.deepEqual(await Promise.all([job('a'), job('b'), job('c')]), ['a', 'b', 'c']);
    assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    assert.equal(existsSync(lockPath), false);
  } finally {
    removeDir(dir);
  }
});

test('a lock left by a process that no longer exists is taken over', async () => {
  const dir = tempDir('stale-lock');
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lockPath = path.join(dir, 'm.lock');
    mkdirSync(dir, { recursive: true });
    writeFileSync(lockPath, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), at: new Date().toISOString() }));
    let waited = false;
    const result = await withFileLock(lockPath, async () => 'ran', { onWait: () => (waited = true) });
    assert.equal(result, 'ran');
    assert.equal(waited, false);
  } finally {
    removeDir(dir);
  }
});

test('a lock held by a live process is waited for, and the wait can be aborted', async () => {
  const dir = tempDir('live-lock');
  try {
    const lockPath = path.join(dir, 'm.lock');
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), at: new Date().toISOString() }));
    const abort = new AbortController();
    let waited = false;
    const pending = withFileLock(lockPath, async () => 'ran', { signal: abort.signal, onWait: () => {
      waited = true;
      abort.abort();
    } });
    await assert.rejects(pending, (err: unknown) => (err as Error).name === 'AbortError');
    assert.equal(waited, true);
    assert.equal(existsSync(lockPath), true, "the other process's lock is left alone");
  } finally {
    removeDir(dir);
  }
});

test('HF_TOKEN is sent to Hugging Face only', () => {
  const env = { HF_TOKEN: 'hf_secret' };
  assert.deepEqual(authHeaders('https://huggingface.co/rhasspy/piper-voices/resolve/abc/x.onnx', env), { authorization: 'Bearer hf_secret' });
  assert.deepEqual(authHeaders('https://github.com/k2-fsa/x.tar.bz2', env), {});
  assert.deepEqual(authHeaders('https://huggingface.co/x', {}), {});
});
