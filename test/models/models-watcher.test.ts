import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelsWatcher, type ModelsWatcherOptions } from '../../src/models/models-watcher.js';
import { createLogger } from '../../src/util/logger.js';
import { removeDir, tempDir } from './fixtures.js';

const QUIET_MS = 300;
const POLL_MS = 100;
/** Deadlines only: a change that should fire must do so well within this. */
const FIRE_DEADLINE_MS = 15_000;
/** Long enough after a fire for a wrong second fire to have shown up. */
const SETTLE_MS = 4 * QUIET_MS;

const silent = createLogger({ level: 'silent' });

/** A watcher on `<dir>/models` that counts its calls. */
async function watching(dir: string, options: Partial<ModelsWatcherOptions> = {}) {
  const modelsDir = path.join(dir, 'models');
  let calls = 0;
  const waiters: Array<() => void> = [];
  const watcher = new ModelsWatcher({
    modelsDir,
    log: silent,
    quietMs: QUIET_MS,
    maxWaitMs: 60_000,
    pollMs: POLL_MS,
    ...options,
    onChange: async () => {
      calls++;
      for (const wake of waiters.splice(0)) wake();
      await options.onChange?.();
    },
  });
  await watcher.start();
  const callsReach = async (n: number) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          while (calls < n) await new Promise<void>((resolve) => waiters.push(resolve));
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`expected ${n} call(s), saw ${calls}`)), FIRE_DEADLINE_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { modelsDir, watcher, callsReach, calls: () => calls };
}

async function withDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir(prefix);
  try {
    await body(dir);
  } finally {
    removeDir(dir);
  }
}

test('a model folder renamed into place fires once', () =>
  withDir('watch-rename', async (dir) => {
    mkdirSync(path.join(dir, 'models', '.satellite'), { recursive: true });
    const w = await watching(dir);
    try {
      const staging = path.join(w.modelsDir, '.satellite', 'staging-vad-abc');
      await mkdir(staging);
      for (const name of ['model.onnx', 'tokens.txt']) await writeFile(path.join(staging, name), 'x');
      await rename(staging, path.join(w.modelsDir, 'vad'));
      await w.callsReach(1);
      await sleep(SETTLE_MS);
      assert.equal(w.calls(), 1);
    } finally {
      w.watcher.stop();
    }
  }));

test('a folder swapped in place of an older copy is watched afresh', () =>
  withDir('watch-swap', async (dir) => {
    const models = path.join(dir, 'models');
    mkdirSync(path.join(models, 'tts'), { recursive: true });
    mkdirSync(path.join(models, '.satellite', 'staging-tts-1'), { recursive: true });
    const w = await watching(dir);
    try {
      await rename(path.join(models, 'tts'), path.join(models, '.satellite', 'trash-tts-1'));
      await rename(path.join(models, '.satellite', 'staging-tts-1'), path.join(models, 'tts'));
      await w.callsReach(1);
      await writeFile(path.join(models, 'tts', 'voice.onnx'), 'x');
      await w.callsReach(2);
    } finally {
      w.watcher.stop();
    }
  }));

test('a burst of 50 file writes fires once', () =>
  withDir('watch-burst', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'asr'), { recursive: true });
    const w = await watching(dir);
    try {
      for (let i = 0; i < 50; i++) await writeFile(path.join(w.modelsDir, 'asr', `part-${i}.bin`), String(i));
      await w.callsReach(1);
      await sleep(SETTLE_MS);
      assert.equal(w.calls(), 1);
    } finally {
      w.watcher.stop();
    }
  }));

test("writes inside the installer's work dir, hidden files and the models lock file fire nothing", () =>
  withDir('watch-work', async (dir) => {
    mkdirSync(path.join(dir, 'models'));
    const w = await watching(dir);
    try {
      const work = path.join(w.modelsDir, '.satellite');
      await mkdir(path.join(work, 'partial'), { recursive: true });
      await mkdir(path.join(work, 'locks'));
      for (let i = 0; i < 20; i++) await writeFile(path.join(work, 'partial', 'whisper.0.part'), 'x'.repeat(i * 100), { flag: 'a' });
      await writeFile(path.join(work, 'locks', 'whisper.lock'), '{}');
      await mkdir(path.join(work, 'staging-whisper-xyz'));
      await writeFile(path.join(work, 'staging-whisper-xyz', 'encoder.onnx'), 'x');
      await writeFile(path.join(w.modelsDir, '.DS_Store'), 'x');
      await writeFile(path.join(w.modelsDir, 'models.lock.json.123.tmp'), '{}');
      await rename(path.join(w.modelsDir, 'models.lock.json.123.tmp'), path.join(w.modelsDir, 'models.lock.json'));
      await sleep(SETTLE_MS);
      assert.equal(w.calls(), 0);
    } finally {
      w.watcher.stop();
    }
  }));

test('a folder copied in file by file fires once, after the copy has gone quiet', () =>
  withDir('watch-copy', async (dir) => {
    mkdirSync(path.join(dir, 'models'));
    let copying = true;
    const firedDuringCopy: boolean[] = [];
    // quiet period well above the 200 ms gaps between files, so a slow machine cannot split the copy
    const w = await watching(dir, { quietMs: 1_500, onChange: () => void firedDuringCopy.push(copying) });
    try {
      const folder = path.join(w.modelsDir, 'vosk-small');
      await mkdir(path.join(folder, 'am'), { recursive: true });
      for (let i = 0; i < 14; i++) {
        // the later files (longer than the quiet period) go one level down, as in a Vosk model's am/
        await writeFile(path.join(folder, i < 3 ? '' : 'am', `file-${i}`), 'x'.repeat(1000));
        await sleep(200);
      }
      copying = false;
      await w.callsReach(1);
      await sleep(SETTLE_MS);
      assert.deepEqual(firedDuringCopy, [false]);
    } finally {
      w.watcher.stop();
    }
  }));

test('changes that never go quiet still fire once the longest wait has passed', () =>
  withDir('watch-trickle', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'big'), { recursive: true });
    const w = await watching(dir, { quietMs: 1_000, maxWaitMs: 1_500 });
    try {
      let stopTrickle = false;
      const trickle = (async () => {
        for (let i = 0; !stopTrickle && i < FIRE_DEADLINE_MS / 100; i++) {
          await writeFile(path.join(w.modelsDir, 'big', 'weights.bin'), 'x'.repeat(100), { flag: 'a' });
          await sleep(100);
        }
      })();
      await w.callsReach(1);
      stopTrickle = true;
      await trickle;
    } finally {
      w.watcher.stop();
    }
  }));

test('a models_dir that is a symlink to another disk is watched through the link', () =>
  withDir('watch-link', async (dir) => {
    mkdirSync(path.join(dir, 'disk', 'models'), { recursive: true });
    symlinkSync(path.join(dir, 'disk', 'models'), path.join(dir, 'models'));
    const w = await watching(dir);
    try {
      await mkdir(path.join(w.modelsDir, 'vad'));
      await w.callsReach(1);
      await writeFile(path.join(w.modelsDir, 'vad', 'silero.onnx'), 'x');
      await w.callsReach(2);
    } finally {
      w.watcher.stop();
    }
  }));

test('a removed folder fires', () =>
  withDir('watch-remove', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'kws', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'models', 'kws', 'sub', 'tokens.txt'), 'x');
    const w = await watching(dir);
    try {
      await rm(path.join(w.modelsDir, 'kws'), { recursive: true });
      await w.callsReach(1);
    } finally {
      w.watcher.stop();
    }
  }));

test('a models_dir created after start is picked up, and then watched', () =>
  withDir('watch-late', async (dir) => {
    const w = await watching(path.join(dir, 'not', 'yet'));
    try {
      await mkdir(path.join(w.modelsDir, 'vad'), { recursive: true });
      await w.callsReach(1);
      await writeFile(path.join(w.modelsDir, 'vad', 'silero.onnx'), 'x');
      await w.callsReach(2);
    } finally {
      w.watcher.stop();
    }
  }));

test('a models_dir deleted and created again is watched again', () =>
  withDir('watch-recreate', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'vad'), { recursive: true });
    const w = await watching(dir);
    try {
      await rm(w.modelsDir, { recursive: true });
      await w.callsReach(1);
      await mkdir(path.join(w.modelsDir, 'tts'), { recursive: true });
      await w.callsReach(2);
      await writeFile(path.join(w.modelsDir, 'tts', 'voice.onnx'), 'x');
      await w.callsReach(3);
    } finally {
      w.watcher.stop();
    }
  }));

test('when folders cannot be watched it says so once and polls the listing instead', () =>
  withDir('watch-fallback', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'vad'), { recursive: true });
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', format: 'json', destination: { write: (line) => lines.push(line) } });
    const w = await watching(dir, {
      log,
      watch: () => {
        throw Object.assign(new Error('inotify watch limit reached'), { code: 'ENOSPC' });
      },
    });
    try {
      await mkdir(path.join(w.modelsDir, 'asr'));
      await w.callsReach(1);
      await writeFile(path.join(w.modelsDir, 'vad', 'silero.onnx'), 'x');
      await w.callsReach(2);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /polling/);
    } finally {
      w.watcher.stop();
    }
  }));

test('a rescan still running when the next burst ends is followed by exactly one more, never overlapped', () =>
  withDir('watch-serial', async (dir) => {
    mkdirSync(path.join(dir, 'models'));
    let running = 0;
    let overlapped = false;
    let finishFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (finishFirst = resolve));
    let calls = 0;
    const w = await watching(dir, {
      onChange: async () => {
        overlapped ||= running > 0;
        running++;
        if (++calls === 1) await firstHeld;
        running--;
      },
    });
    try {
      await mkdir(path.join(w.modelsDir, 'a'));
      await w.callsReach(1);
      await mkdir(path.join(w.modelsDir, 'b'));
      await sleep(SETTLE_MS);
      await mkdir(path.join(w.modelsDir, 'c'));
      await sleep(SETTLE_MS);
      assert.equal(w.calls(), 1);
      finishFirst();
      await w.callsReach(2);
      await sleep(SETTLE_MS);
      assert.equal(w.calls(), 2);
      assert.equal(overlapped, false);
    } finally {
      w.watcher.stop();
    }
  }));

test('stop() frees every watch and timer: a process that stops its watchers exits on its own', () =>
  withDir('watch-stop', async (dir) => {
    mkdirSync(path.join(dir, 'models', 'vad'), { recursive: true });
    const moduleUrl = new URL('../../src/models/models-watcher.js', import.meta.url).href;
    const loggerUrl = new URL('../../src/util/logger.js', import.meta.url).href;
    const script = `
      import { mkdirSync } from 'node:fs';
      const { ModelsWatcher } = await import(${JSON.stringify(moduleUrl)});
      const { createLogger } = await import(${JSON.stringify(loggerUrl)});
      const log = createLogger({ level: 'silent' });
      const onChange = () => {};
      const dir = ${JSON.stringify(dir)};
      const watching = new ModelsWatcher({ modelsDir: dir + '/models', log, onChange });
      const waiting = new ModelsWatcher({ modelsDir: dir + '/missing', log, onChange });
      const polling = new ModelsWatcher({ modelsDir: dir + '/models', log, onChange,
        watch: () => { throw Object.assign(new Error('no watches'), { code: 'EMFILE' }); } });
      for (const w of [watching, waiting, polling]) await w.start();
      mkdirSync(dir + '/models/new'); // leaves a change pending
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const w of [watching, waiting, polling]) { w.stop(); w.stop(); }
      process.stdout.write('stopped');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: FIRE_DEADLINE_MS });
    assert.equal(child.stdout, 'stopped', child.stderr);
    assert.equal(child.status, 0, 'the process did not exit by itself after stop()');
  }));
