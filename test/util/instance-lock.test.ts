import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireInstanceLock, INSTANCE_LOCK_FILE_NAME } from '../../src/util/instance-lock.js';

/** Deadline for a child process to report; never a measure of speed. */
const CHILD_DEADLINE_MS = 20_000;
const RACERS = 6;

const moduleUrl = new URL('../../src/util/instance-lock.js', import.meta.url).href;

/**
 * A child that says `ready`, waits for `go`, tries the lock, prints `won` or the error as JSON,
 * and (if it won) holds the lock until its stdin closes.
 */
const CHILD_SCRIPT = `
  const { acquireInstanceLock } = await import(${JSON.stringify(moduleUrl)});
  let input = '';
  const lineSeen = (want) => new Promise((resolve) => {
    const check = () => { if (input.includes(want)) resolve(); };
    process.stdin.on('data', (chunk) => { input += chunk; check(); });
    process.stdin.on('end', () => { input += '\\nend'; check(); });
    check();
  });
  process.stdout.write('ready\\n');
  await lineSeen('go');
  try {
    const lock = await acquireInstanceLock(process.argv[1]);
    process.stdout.write('won\\n');
    await lineSeen('end');
    await lock.release();
  } catch (err) {
    process.stdout.write(JSON.stringify({ code: err.code, message: err.message }) + '\\n');
  }
  process.exit(0);
`;

interface Child {
  proc: ChildProcessWithoutNullStreams;
  lineCount(n: number): Promise<string[]>;
}

function startChild(stateDir: string): Child {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, stateDir]);
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const lineCount = (n: number) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child said only: ${out}`)), CHILD_DEADLINE_MS);
      const check = () => {
        const lines = out.split('\n').filter(Boolean);
        if (lines.length < n) return;
        clearTimeout(timer);
        proc.stdout.off('data', check);
        resolve(lines);
      };
      proc.stdout.on('data', check);
      proc.once('exit', () => setImmediate(check));
      check();
    });
  return { proc, lineCount };
}

/** Starts racers together and returns what each one said; winners release once all have spoken. */
async function race(stateDir: string, count: number): Promise<string[]> {
  const children = Array.from({ length: count }, () => startChild(stateDir));
  try {
    await Promise.all(children.map((c) => c.lineCount(1)));
    for (const c of children) c.proc.stdin.write('go\n');
    const said = await Promise.all(children.map(async (c) => (await c.lineCount(2))[1]!));
    return said;
  } finally {
    for (const c of children) c.proc.stdin.end();
    await Promise.all(children.map((c) => (c.proc.exitCode === null ? new Promise((r) => c.proc.once('exit', r)) : undefined)));
  }
}

function deadPid(): number {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(dead.stdout);
}

function withStateDir(body: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'satellite-instance-lock-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a second daemon on the same state dir is refused with a code naming the dir and the pid holding it',
  withStateDir(async (dir) => {
    const lock = await acquireInstanceLock(dir);
    try {
      const [said] = await race(dir, 1);
      const refusal = JSON.parse(said!) as { code: string; message: string };
      assert.equal(refusal.code, 'SAT_ERR_ALREADY_RUNNING');
      assert.ok(refusal.message.includes(dir), refusal.message);
      assert.ok(refusal.message.includes(`pid ${process.pid}`), refusal.message);
      await assert.rejects(acquireInstanceLock(dir), { code: 'SAT_ERR_ALREADY_RUNNING' });
    } finally {
      await lock.release();
    }
  }),
);

test(
  'after release a new daemon takes the lock, and the lock file is gone meanwhile',
  withStateDir(async (dir) => {
    const lock = await acquireInstanceLock(dir);
    await lock.release();
    await lock.release();
    assert.equal(existsSync(path.join(dir, INSTANCE_LOCK_FILE_NAME)), false);
    assert.deepEqual(await race(dir, 1), ['won']);
  }),
);

test(
  'a lock left by a process that is gone is taken over',
  withStateDir(async (dir) => {
    const lockPath = path.join(dir, INSTANCE_LOCK_FILE_NAME);
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: hostname() }));
    const lock = await acquireInstanceLock(dir);
    try {
      assert.equal(JSON.parse(readFileSync(lockPath, 'utf8')).pid, process.pid);
    } finally {
      await lock.release();
    }
  }),
);

test(
  'a lock naming a live pid that now belongs to a later process (pid reused) is taken over',
  withStateDir(async (dir) => {
    const lockPath = path.join(dir, INSTANCE_LOCK_FILE_NAME);
    if (!existsSync(`/proc/${process.ppid}/stat`)) return; // no /proc: pid reuse cannot be told apart
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), startTime: '1' }));
    const lock = await acquireInstanceLock(dir);
    await lock.release();
  }),
);

test(
  'daemons racing for a free state dir: exactly one wins, the others are refused',
  withStateDir(async (dir) => {
    const said = await race(dir, RACERS);
    assert.equal(said.filter((s) => s === 'won').length, 1, said.join('\n'));
    for (const s of said.filter((s) => s !== 'won')) assert.equal(JSON.parse(s).code, 'SAT_ERR_ALREADY_RUNNING');
  }),
);

test(
  'daemons racing to take over a stale lock: exactly one wins',
  withStateDir(async (dir) => {
    for (let round = 0; round < 3; round++) {
      writeFileSync(path.join(dir, INSTANCE_LOCK_FILE_NAME), JSON.stringify({ pid: deadPid(), host: hostname() }));
      const said = await race(dir, RACERS);
      assert.equal(said.filter((s) => s === 'won').length, 1, said.join('\n'));
      assert.deepEqual(readdirSync(dir), [], 'no lock, guard or temp file is left behind');
    }
  }),
);
