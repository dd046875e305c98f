/**
 * eSpeak NG through libespeak-ng in a long-lived worker thread: the same audio as the program,
 * no process per request, cancel, restart after a crash, stop when idle, and the fallback to one
 * process per request where the library does not load.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ESPEAK_RATE, EspeakEngine, type EspeakOptions } from '../../../../src/engines/tts/espeak/espeak-engine.js';
import { DEFAULT_ESPEAK_LIBRARY } from '../../../../src/engines/tts/espeak/espeak-protocol.js';
import { hasCommand, need } from '../../../helpers/system.js';
import { SENTENCES, quietLog, speak } from '../tts-test-kit.js';
import { threadNices } from '../../../helpers/thread-nice.js';
import { WORKER_NICE_DELTA } from '../../../../src/engines/runtime/worker-priority.js';

const VOICE = 'espeak-ng-en-us';
const hasLibrary = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout?.includes(DEFAULT_ESPEAK_LIBRARY) ?? false;
const ready = hasCommand('espeak-ng') && hasLibrary;
const WHY = 'espeak-ng and libespeak-ng1 are not installed (apt install espeak-ng)';

const opened: EspeakEngine[] = [];
after(() => Promise.all(opened.map((e) => e.close())));

async function create(options: Partial<EspeakOptions> = {}): Promise<EspeakEngine | null> {
  const engine = await EspeakEngine.create({ program: 'espeak-ng', languages: ['en-us', 'de'], preferred: 'en-us', maxConcurrent: 1, maxQueue: 4, log: quietLog, ...options });
  if (engine) opened.push(engine);
  return engine;
}

function espeakChildren(): number {
  return spawnSync('pgrep', ['-P', String(process.pid), '-x', 'espeak-ng'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
}

/** What `espeak-ng --stdout` writes for `text`, as 16-bit samples. */
function programSamples(text: string): Int16Array {
  const wav = spawnSync('espeak-ng', ['--stdout', '-b', '1', '-v', 'en-us', '-s', '175'], { input: text, maxBuffer: 64 * 1024 * 1024 }).stdout;
  const data = wav.indexOf('data');
  const pcm = wav.subarray(data + 8);
  return new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length & ~1)));
}

/**
 * Same speech, as far as it can be compared after the first synthesis: libespeak-ng keeps some
 * state per process (its pitch flutter runs on), so later utterances differ in a few samples.
 */
function sameSpeech(a: ArrayLike<number>, b: ArrayLike<number>): void {
  const rms = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((n, v) => n + v * v, 0) / x.length);
  assert.ok(Math.abs(a.length - b.length) <= b.length * 0.02, `${a.length} vs ${b.length} samples`);
  assert.ok(Math.abs(rms(a) - rms(b)) <= rms(b) * 0.05, `loudness ${rms(a)} vs ${rms(b)}`);
}

async function speak16(engine: EspeakEngine, text: string): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  await engine.synthesize({ text, voice: VOICE, onAudio: () => assert.fail('16-bit audio was asked for'), onPcm16: (s) => parts.push(s) });
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('espeak-ng through libespeak-ng (worker thread)', () => {
  // First in the file: the process's first synthesis, so the library's state is as fresh as the program's.
  test('the first synthesis is exactly what the program writes, and no process is started', async (t) => {
    if (!need(t, ready, WHY)) return;
    const engine = (await create())!;
    assert.equal(engine.mode, 'library');
    const text = SENTENCES.slice(0, 3).join(' ');
    const samples = await speak16(engine, text);
    assert.deepEqual(samples, programSamples(text));
    assert.equal(engine.speaker!.loadCount, 1);
    // float output is the same samples scaled, and later requests reuse the one worker
    const floats = await speak(engine, { text: SENTENCES[3]!, voice: VOICE });
    assert.equal(floats.sampleRate, ESPEAK_RATE);
    assert.ok(floats.samples.length > ESPEAK_RATE / 2 && floats.samples.every((s) => s >= -1 && s < 1));
    const german = await speak(engine, { text: 'Guten Morgen, wie geht es dir?', voice: 'espeak-ng-de' });
    assert.ok(german.samples.length > ESPEAK_RATE / 2);
    assert.equal(engine.speaker!.loadCount, 1);
    assert.equal(espeakChildren(), 0);
    await engine.close();
  });

  test('speed still changes the length; the main thread stays free while the worker speaks', async (t) => {
    if (!need(t, ready, WHY)) return;
    const engine = (await create())!;
    const text = SENTENCES.join(' ').repeat(3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const normal = await speak(engine, { text, voice: VOICE });
    clearInterval(timer);
    const fast = await speak(engine, { text, voice: VOICE, speed: 2 });
    assert.ok(fast.samples.length < normal.samples.length * 0.7);
    assert.ok(ticks > 0, 'timers ran during the synthesis');
    await engine.close();
  });

  test('the worker thread speaks at a lower priority than the event loop', async (t) => {
    if (!need(t, ready, WHY)) return;
    const before = threadNices();
    const engine = (await create())!;
    await speak16(engine, SENTENCES[0]!);
    const mainNice = before.get(process.pid)!;
    const lowered = [...threadNices()].filter(([tid, nice]) => !before.has(tid) && nice === Math.min(19, mainNice + WORKER_NICE_DELTA));
    assert.ok(lowered.length >= 1, 'a new thread at the lowered priority (the eSpeak worker)');
    assert.equal(threadNices().get(process.pid), mainNice, 'the main thread keeps its priority');
  });

  test('aborting stops the synthesis at once and the next request gets only its own audio', async (t) => {
    if (!need(t, ready, WHY)) return;
    const engine = (await create())!;
    const alone = await speak16(engine, SENTENCES[0]!);
    const abort = new AbortController();
    let after = 0;
    let aborted = false;
    const long = SENTENCES.join(' ').repeat(20);
    const running = engine.synthesize({
      text: long,
      voice: VOICE,
      signal: abort.signal,
      onAudio: () => {
        if (aborted) after++;
        aborted = true;
        abort.abort();
      },
    });
    await assert.rejects(running, { code: 'SAT_ERR_CANCELLED' });
    const next = await speak16(engine, SENTENCES[0]!);
    sameSpeech(next, alone); // the sentence alone, not the tail of the long text
    assert.equal(after, 0, 'no audio reached a cancelled request');
    await assert.rejects(engine.synthesize({ text: 'hi', voice: VOICE, signal: AbortSignal.abort(), onAudio: () => undefined }), { code: 'SAT_ERR_CANCELLED' });
    await engine.close();
  });

  test('a crashed worker is replaced by a fresh one on the next request', async (t) => {
    if (!need(t, ready, WHY)) return;
    const engine = (await create())!;
    await speak16(engine, 'Before the crash.');
    await engine.speaker!.crashForTest();
    for (let i = 0; i < 100 && engine.speaker!.loaded; i++) await sleep(10);
    assert.equal(engine.speaker!.loaded, false, 'the crash was noticed');
    const after = await speak16(engine, 'After the crash.');
    assert.ok(after.length > ESPEAK_RATE / 4);
    assert.equal(engine.speaker!.loadCount, 2);
    await engine.close();
  });

  test('the worker stops after the idle period and starts again on use', async (t) => {
    if (!need(t, ready, WHY)) return;
    const engine = (await create({ idleUnloadSeconds: 0.05 }))!;
    await speak16(engine, 'Hello.');
    for (let i = 0; i < 200 && engine.speaker!.loaded; i++) await sleep(10);
    assert.equal(engine.speaker!.loaded, false);
    assert.ok((await speak16(engine, 'Hello again.')).length > 0);
    assert.equal(engine.speaker!.loadCount, 2);
    await engine.close();
    assert.equal(engine.speaker!.loaded, false, 'closing stops the worker');
  });

  test('a library that does not load means one process per request, with the same audio', async (t) => {
    if (!need(t, ready, WHY)) return;
    const missing = '/nonexistent/libespeak-ng.so.1';
    assert.equal(existsSync(missing), false);
    const fallback = (await create({ library: missing }))!;
    assert.equal(fallback.mode, 'library', 'decided on first use, not at start-up');
    const viaProcess = await speak(fallback, { text: SENTENCES[1]!, voice: VOICE });
    assert.equal(fallback.mode, 'process');
    const library = (await create())!;
    const viaLibrary = await speak(library, { text: SENTENCES[1]!, voice: VOICE });
    sameSpeech(viaLibrary.samples, viaProcess.samples);
    const off = (await create({ library: false }))!;
    assert.equal(off.mode, 'process');
    assert.ok((await speak(off, { text: 'Process mode.', voice: VOICE })).samples.length > 0);
    await Promise.all([fallback.close(), library.close(), off.close()]);
  });
});
