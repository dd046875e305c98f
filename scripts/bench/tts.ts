/**
 * Text-to-speech. eSpeak NG against the raw program in the same run: ten sentences and one
 * sentence through the daemon's Wyoming TTS versus `espeak-ng --stdout` on the same text, and the
 * daemon's first audio-chunk versus the program speaking only the first sentence (interleaved,
 * min and median). Then per voice: real-time factor of a direct engine call, time to the first
 * audio-chunk for a 3-sentence text sent as a Home Assistant stream, the daemon's time for a
 * classic request over the same per-sentence engine calls made directly, and the latency of a
 * repeated (cached) request. Voices: espeak-ng (when installed), the project's structural Piper
 * and Kokoro fixtures (their speed says nothing about real voices), and real voice folders named
 * by SATELLITE_TEST_PIPER_VOICE / SATELLITE_TEST_KOKORO_MODEL.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { VoiceChoice } from '../../src/core/speech/select-voice.js';
import { splitSentences } from '../../src/core/speech/tts-sentences.js';
import { startTestDaemon, type TestDaemon } from '../../test/helpers/daemon.js';
import type { BenchClientReply, BenchClientRequest } from '../fixtures/tts-bench-client.js';
import { systemEspeakDataDir, writeKokoroFixture, writePiperFixture } from '../fixtures/tts-fixtures.js';
import { ForkedClient } from './forked-client.js';
import type { BenchResult } from './types.js';

const ROUNDS = 9;
const TARGET_RTF = 1;
const TARGET_OVERHEAD = 1.05;
const TARGET_FIRST_AUDIO_SHARE = 0.6;
const TARGET_CACHE_HIT_MS = 20;
/** Interleaved repetitions of the daemon-versus-program comparison. */
const REPS = 11;
const TARGET_VS_PROGRAM = 1.05;
const TARGET_FIRST_AUDIO_VS_PROGRAM = 1.1;
const ESPEAK_VOICE = 'espeak-ng-en-us';
/** The Wyoming client runs in its own process, as Home Assistant does. */
type TtsClient = ForkedClient<BenchClientRequest, BenchClientReply>;
const CLIENT = fileURLToPath(new URL('../fixtures/tts-bench-client.js', import.meta.url));

/** Three sentences; `n` makes each round's text new, so nothing comes from the cache. */
function text3(n: number): string {
  return `The kitchen lights are now off, round ${n}. The front door is locked and the alarm is set for ${n} minutes. Good night, sleep well and see you in the morning ${n}.`;
}

/** Ten sentences of a Home Assistant reply; `n` makes each repetition's text new (no cache hit). */
const TEN = [
  'The kitchen lights are now off.',
  'The front door is locked and the alarm is set.',
  'Good night and sleep well.',
  'The weather tomorrow is sunny with a high of twenty degrees.',
  'Your next meeting starts at nine thirty.',
  'The washing machine has finished its cycle.',
  'The garage door is closed.',
  'Three new messages are waiting for you.',
  'The living room temperature is twenty one degrees.',
  'Have a nice evening.',
];
const numbered = (sentences: string[], n: number) => sentences.map((s) => s.replace(/\.$/, ` ${n}.`));

/** `espeak-ng --stdout` on `text`, as a client would run it: start to exit, all of its WAV read. */
function programMs(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('espeak-ng', ['--stdout', '-b', '1', '-v', 'en-us'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (b: Buffer) => (bytes += b.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && bytes > 44 ? resolve(performance.now() - start) : reject(new Error(`espeak-ng exited with ${code}`))));
    child.stdin.end(text, 'utf8');
  });
}

function minMedian(values: number[]): string {
  return `min ${round(Math.min(...values), 1)} / median ${round(median(values), 1)} ms`;
}

/** The daemon's eSpeak NG against the program itself, interleaved (the order alternates against drift). */
async function espeakVersusProgram(client: TtsClient): Promise<BenchResult[]> {
  const daemonTen: number[] = [];
  const daemonOne: number[] = [];
  const daemonFirst: number[] = [];
  const rawTen: number[] = [];
  const rawOne: number[] = [];
  const rawFirst: number[] = [];
  await programMs('Warm up.');
  for (let r = 0; r < REPS; r++) {
    const ten = numbered(TEN, r);
    const one = numbered([TEN[r % TEN.length]!], r + 1000)[0]!;
    const viaDaemon = async () => {
      const t = await client.ask({ kind: 'classic', text: ten.join(' '), voice: ESPEAK_VOICE });
      daemonTen.push(t.totalMs);
      daemonFirst.push(t.firstMs);
      daemonOne.push((await client.ask({ kind: 'classic', text: one, voice: ESPEAK_VOICE })).totalMs);
    };
    const viaProgram = async () => {
      rawTen.push(await programMs(ten.join(' ')));
      rawFirst.push(await programMs(ten[0]!));
      rawOne.push(await programMs(one));
    };
    if (r % 2 === 0) {
      await viaDaemon();
      await viaProgram();
    } else {
      await viaProgram();
      await viaDaemon();
    }
  }
  const ratio = (a: number[], b: number[]) => ({ min: Math.min(...a) / Math.min(...b), median: median(a) / median(b) });
  const row = (name: string, a: number[], b: number[], target: number, what: string): BenchResult => {
    const q = ratio(a, b);
    return {
      name,
      value: round(q.min),
      unit: 'x',
      target: `≤ ${target}`,
      pass: q.min <= target,
      note: `min ratio; median ratio ${round(q.median)}; daemon ${minMedian(a)}; ${what} ${minMedian(b)}; ${REPS} interleaved reps`,
    };
  };
  return [
    row('espeak-ng 10 sentences: daemon / espeak-ng --stdout', daemonTen, rawTen, TARGET_VS_PROGRAM, 'espeak-ng'),
    row('espeak-ng 1 sentence: daemon / espeak-ng --stdout', daemonOne, rawOne, TARGET_VS_PROGRAM, 'espeak-ng'),
    row('espeak-ng first audio: daemon / espeak-ng first sentence', daemonFirst, rawFirst, TARGET_FIRST_AUDIO_VS_PROGRAM, 'espeak-ng on the first sentence alone'),
  ];
}

/** Fragments as an LLM streams them: not aligned to words or sentences. */
function fragments(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += 17) out.push(text.slice(at, at + 17));
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

/** The engine called directly, sentence by sentence as the daemon does; returns ms and audio seconds. */
async function direct(choice: VoiceChoice, text: string): Promise<{ ms: number; audioSeconds: number }> {
  let samples = 0;
  const start = performance.now();
  for (const sentence of splitSentences(text)) {
    await choice.engine.synthesize({ text: sentence, voice: choice.voice.name, speaker: choice.speaker, onAudio: (s) => (samples += s.length) });
  }
  return { ms: performance.now() - start, audioSeconds: samples / choice.voice.sampleRate };
}

/** A target and whether it was met; none for structural fixtures, whose speed means nothing. */
function judged(fixture: boolean, target: string, pass: boolean): { target?: string; pass?: boolean } {
  return fixture ? {} : { target, pass };
}

async function benchVoice(daemon: TestDaemon, client: TtsClient, name: string, note: string, fixture: boolean): Promise<BenchResult[]> {
  const choice = daemon.context.speech.pickVoice({ name });
  await direct(choice, 'Warm up.'); // loads the model
  await client.ask({ kind: 'classic', text: 'Warm up the connection.', voice: name });
  let synthMs = 0;
  let audioSeconds = 0;
  const daemonMs: number[] = [];
  const directMs: number[] = [];
  const first: number[] = [];
  const shares: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // new text each time: nothing may come from the cache; the order alternates against drift
    const viaDaemonFirst = r % 2 === 0;
    const text = text3(r);
    const before = viaDaemonFirst ? undefined : await direct(choice, text);
    const viaDaemon = await client.ask({ kind: 'classic', text: text3(r + 1000), voice: name });
    const d = before ?? (await direct(choice, text));
    const same = await direct(choice, text3(r + 1000));
    synthMs += d.ms;
    audioSeconds += d.audioSeconds;
    daemonMs.push(viaDaemon.totalMs);
    directMs.push(same.ms);
    const streamText = text3(r + 2000);
    const s = await client.ask({ kind: 'stream', text: streamText, pieces: fragments(streamText), voice: name });
    first.push(s.firstMs);
    shares.push(s.firstMs / s.totalMs);
  }
  await client.ask({ kind: 'classic', text: text3(-1), voice: name });
  const hits: number[] = [];
  for (let r = 0; r < ROUNDS; r++) hits.push((await client.ask({ kind: 'classic', text: text3(-1), voice: name })).totalMs);
  const rtf = synthMs / 1000 / audioSeconds;
  // Best of each: the least disturbed run of both paths (other processes share the CPU).
  const overhead = Math.min(...daemonMs) / Math.min(...directMs);
  const share = median(shares);
  const hit = median(hits);
  return [
    { name: `${name} real-time factor`, value: round(rtf), unit: 'x', ...judged(fixture, `< ${TARGET_RTF}`, rtf < TARGET_RTF), note },
    { name: `${name} first audio-chunk, 3-sentence stream`, value: round(median(first), 1), unit: 'ms', note },
    {
      name: `${name} first audio / whole reply`,
      value: round(share),
      unit: 'ratio',
      ...judged(fixture, `≤ ${TARGET_FIRST_AUDIO_SHARE}`, share <= TARGET_FIRST_AUDIO_SHARE),
      note,
    },
    { name: `${name} daemon / direct engine time`, value: round(overhead), unit: 'ratio', ...judged(fixture, `≤ ${TARGET_OVERHEAD}`, overhead <= TARGET_OVERHEAD), note },
    { name: `${name} cache-hit reply`, value: round(hit, 2), unit: 'ms', ...judged(fixture, `< ${TARGET_CACHE_HIT_MS}`, hit < TARGET_CACHE_HIT_MS), note },
  ];
}

export async function bench(): Promise<BenchResult[]> {
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tts-'));
  const data = systemEspeakDataDir();
  const voices: Array<{ name: string; note: string; fixture: boolean }> = [];
  if (data) {
    writePiperFixture(path.join(modelsDir, 'piper-fixture'), { name: 'piper-fixture', espeakDataDir: data });
    writeKokoroFixture(path.join(modelsDir, 'kokoro-fixture'), { espeakDataDir: data, speakers: ['fixture_kokoro'] });
  }
  const realPiper = process.env['SATELLITE_TEST_PIPER_VOICE'];
  const realKokoro = process.env['SATELLITE_TEST_KOKORO_MODEL'];
  if (realPiper && existsSync(realPiper)) symlinkSync(path.resolve(realPiper), path.join(modelsDir, 'real-piper'));
  if (realKokoro && existsSync(realKokoro)) symlinkSync(path.resolve(realKokoro), path.join(modelsDir, 'real-kokoro'));

  const daemon = await startTestDaemon({ models_dir: modelsDir, tts: { espeak: { voices: ['en-us'] } }, log: { level: 'warn' } });
  try {
    for (const { engine, voice: v } of daemon.context.speech.voices()) {
      const fixture = v.name === 'piper-fixture' || v.name === 'fixture_kokoro';
      // a real Kokoro model has dozens of speakers with the same speed: measure the first
      const measured = v.backend === 'kokoro' && !fixture ? v.name === engine.voices[0]!.name : true;
      if (measured) voices.push({ name: v.name, fixture, note: fixture ? 'structural fixture: protocol and streaming cost only' : `${v.backend}, ${v.sampleRate} Hz` });
    }
    const results: BenchResult[] = [];
    if (!voices.some((v) => v.name === 'espeak-ng-en-us')) {
      results.push({ name: 'espeak-ng', value: NaN, unit: '', note: 'espeak-ng not installed: skipped' });
    }
    if (!realPiper) results.push({ name: 'real Piper voice', value: NaN, unit: '', note: 'set SATELLITE_TEST_PIPER_VOICE to a voice folder to measure one' });
    if (!realKokoro) results.push({ name: 'real Kokoro model', value: NaN, unit: '', note: 'set SATELLITE_TEST_KOKORO_MODEL to a Kokoro folder to measure one' });
    const client = await ForkedClient.start<BenchClientRequest, BenchClientReply>(CLIENT, [String(daemon.providerPort)]);
    try {
      if (voices.some((v) => v.name === ESPEAK_VOICE)) {
        await client.ask({ kind: 'classic', text: 'Warm up the connection.', voice: ESPEAK_VOICE });
        results.push(...(await espeakVersusProgram(client)));
      }
      for (const v of voices) results.push(...(await benchVoice(daemon, client, v.name, v.note, v.fixture)));
    } finally {
      client.close();
    }
    return results;
  } finally {
    await daemon.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  }
}
