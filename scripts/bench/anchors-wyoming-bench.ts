/**
 * `wyoming-bench` (PyPI: a third-party benchmark of Wyoming TTS and STT servers) run against our
 * daemon and an anchor while the comparison modules have both up; its report is kept in
 * bench-anchors/ next to bench-results.json. Helper only: anchors-piper.ts and anchors-whisper.ts
 * call it.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { referenceClips } from '../../test/helpers/clips.js';
import { anchorReportDir, anchorVenv, runCommand } from './anchors-venv.js';
import type { BenchResult } from './types.js';

const TIMEOUT_MS = 600_000;
/** Its own figures are a cross-check, not ours: a few clips and one round keep it to a minute or so. */
const CORPUS_CLIPS = 5;

export interface BenchTarget {
  label: string;
  port: number;
  /** wyoming-bench --config JSON (voice for TTS, model name for STT). */
  config?: Record<string, unknown>;
}

/** A corpus folder of wyoming-bench's shape (NAME.wav + NAME.txt) from the shared reference clips. */
function corpus(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-anchors-corpus-'));
  for (const clip of referenceClips().slice(0, CORPUS_CLIPS)) {
    symlinkSync(clip.path, path.join(dir, clip.file));
    writeFileSync(path.join(dir, clip.file.replace(/\.wav$/, '.txt')), `${clip.reference}\n`);
  }
  return dir;
}

const TTS_TEXTS = ['The kitchen lights are now off.', 'The front door is locked and the alarm is set. Good night and sleep well.'];

/** Runs wyoming-bench `kind` against each target in turn; one row per target, naming its report. */
export async function runWyomingBench(kind: 'tts' | 'stt', targets: BenchTarget[]): Promise<BenchResult[]> {
  const venv = await anchorVenv('wbench');
  const name = (t: BenchTarget) => `wyoming-bench ${kind} against ${t.label}`;
  if (!venv.bin) return targets.map((t) => ({ name: name(t), value: NaN, unit: '', note: `skipped: ${venv.skipped ?? 'no venv'}` }));
  const program = path.join(venv.bin, 'wyoming-bench');
  const rounds = '1';
  const corpusDir = kind === 'stt' ? corpus() : undefined;
  const out: BenchResult[] = [];
  try {
    for (const t of targets) {
      const args =
        kind === 'tts'
          ? ['tts', '--mode', 'both', '--rounds', rounds, '--warmup', '1', '--texts', ...TTS_TEXTS]
          : ['stt', '--corpus', corpusDir!, '--mode', 'non_streaming', '--rounds', rounds, '--warmup', '1'];
      if (t.config) args.push('--config', JSON.stringify(t.config));
      args.push(`127.0.0.1:${t.port}`);
      const started = performance.now();
      const r = await runCommand(program, args, TIMEOUT_MS);
      const seconds = (performance.now() - started) / 1000;
      const file = path.join(anchorReportDir(), `wyoming-bench-${kind}-${t.label.replace(/[^\w.-]+/g, '_')}.txt`);
      writeFileSync(file, `$ wyoming-bench ${args.join(' ')}\n# exit ${r.code}, ${seconds.toFixed(1)} s\n${r.out}`);
      out.push({
        name: name(t),
        value: r.code === 0 ? 0 : NaN,
        unit: r.code === 0 ? 'exit' : '',
        note: r.code === 0 ? `report: ${path.relative(process.cwd(), file)}` : `failed (exit ${r.code}): ${r.out.trim().split('\n').slice(-2).join(' ').slice(0, 200)}; output in ${path.relative(process.cwd(), file)}`,
      });
    }
  } finally {
    if (corpusDir) rmSync(corpusDir, { recursive: true, force: true });
  }
  return out;
}
