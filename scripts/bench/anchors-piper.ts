/**
 * wyoming-piper (with piper-tts, PyPI) against our Piper, both serving the same real voice
 * (en_US-joe-medium, fetched by scripts/real-models.mjs; ours imported with `import-piper` as a
 * user would): time to first audio-chunk and to the end, for 1, 3 and 10 sentences, classic
 * (`synthesize`) and streaming (`synthesize-start/chunk/stop`), and peak RSS. One Wyoming client
 * in its own process (a new connection per request, as Home Assistant makes) talks to both
 * servers, interleaved, with new text each time (no cache hit).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSherpa } from '../../src/engines/runtime/sherpa-native.js';
import { REAL_PIPER_VOICE, piperVoiceFolder, rawPiperVoice, realModel } from '../../test/helpers/real-models.js';
import { REPO_ROOT } from '../../test/helpers/system.js';
import type { TtsReply, TtsRequest } from './anchors-drivers/tts-client.js';
import { describe, startOurDaemon } from './anchors-daemon.js';
import { freePort, peakRssMb, ratioRow, reps, skippedRow, startServer, type ServerProcess } from './anchors-measure.js';
import { anchorVenv } from './anchors-venv.js';
import { runWyomingBench } from './anchors-wyoming-bench.js';
import { ForkedClient } from './forked-client.js';
import type { BenchResult } from './types.js';

const CLIENT = fileURLToPath(new URL('./anchors-drivers/tts-client.js', import.meta.url));
const PIPER_DIRECT = path.join(REPO_ROOT, 'scripts', 'bench', 'py', 'piper_direct.py');
const execFileAsync = promisify(execFile);
const TARGET_TIME = 1;
const TARGET_RSS = 1;
const SIZES = [1, 3, 10] as const;

const SENTENCES = [
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

/** `n` sentences with a number that makes the text new in every request. */
function text(n: number, salt: number): string {
  return SENTENCES.slice(0, n)
    .map((s) => s.replace(/\.$/, ` ${salt}.`))
    .join(' ');
}

/** Fragments as an LLM streams them: not aligned to words or sentences. */
function fragments(t: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < t.length; at += 17) out.push(t.slice(at, at + 17));
  return out;
}

type Mode = 'classic' | 'stream';
type Key = `${Mode} ${number}`;
interface Side {
  label: string;
  client: ForkedClient<TtsRequest, TtsReply>;
  voice: string;
  server: ServerProcess;
  first: Map<Key, number[]>;
  total: Map<Key, number[]>;
}

async function once(side: Side, mode: Mode, n: number, salt: number): Promise<void> {
  const t = text(n, salt);
  const reply = await side.client.ask({ kind: mode, text: t, pieces: fragments(t), voice: side.voice }).catch((err: unknown) => {
    throw new Error(`${side.label}, ${mode}, ${n} sentence(s): ${err instanceof Error ? err.message : String(err)}`);
  });
  if (!reply.bytes) throw new Error(`no audio for ${mode} ${n}`);
  const key: Key = `${mode} ${n}`;
  if (!side.first.has(key)) side.first.set(key, []);
  if (!side.total.has(key)) side.total.set(key, []);
  side.first.get(key)!.push(reply.firstMs);
  side.total.get(key)!.push(reply.totalMs);
}

function ourVoiceName(info: Record<string, unknown>): string {
  const tts = (info['tts'] as Array<{ voices?: Array<{ name: string }> }> | undefined) ?? [];
  const names = tts.flatMap((p) => (p.voices ?? []).map((v) => v.name));
  const found = names.find((n) => n.includes(REAL_PIPER_VOICE)) ?? names.find((n) => n.includes('joe'));
  if (!found) throw new Error(`our daemon does not list the Piper voice (voices: ${names.join(', ')})`);
  return found;
}

export async function bench(): Promise<BenchResult[]> {
  const rowNames = SIZES.flatMap((n) => [`piper ${n} sentence(s)`]);
  const model = realModel('piper');
  const raw = rawPiperVoice(model);
  if (!raw) return rowNames.map((n) => skippedRow(`${n}: ours / wyoming-piper`, model.reason));
  const venv = await anchorVenv('piper');
  if (!venv.python) return rowNames.map((n) => skippedRow(`${n}: ours / wyoming-piper`, venv.skipped ?? 'no venv'));

  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-anchors-piper-'));
  const sides: Side[] = [];
  const servers: ServerProcess[] = [];
  try {
    const sherpaDir = await piperVoiceFolder(model, modelsDir);
    const ours = await startOurDaemon({ models_dir: modelsDir });
    servers.push(ours);
    const oursSide: Side = { label: 'ours', server: ours, client: await ForkedClient.start<TtsRequest, TtsReply>(CLIENT, [String(ours.port)]), voice: ourVoiceName(await describe(ours.port)), first: new Map(), total: new Map() };
    sides.push(oursSide);
    const port = await freePort();
    const anchor = await startServer(
      venv.python,
      ['-m', 'wyoming_piper', '--uri', `tcp://127.0.0.1:${port}`, '--data-dir', path.dirname(raw), '--voice', REAL_PIPER_VOICE],
      port,
    );
    servers.push(anchor);
    const anchorSide: Side = { label: 'wyoming-piper', server: anchor, client: await ForkedClient.start<TtsRequest, TtsReply>(CLIENT, [String(port)]), voice: REAL_PIPER_VOICE, first: new Map(), total: new Map() };
    sides.push(anchorSide);
    for (const side of sides) await once(side, 'classic', 1, -1); // loads the voice; discarded below
    for (const side of sides) {
      side.first.clear();
      side.total.clear();
    }
    const rounds = reps(3, 1);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [oursSide, anchorSide] : [anchorSide, oursSide];
      for (const n of SIZES) {
        for (const mode of ['classic', 'stream'] as const) {
          // every request's text is new: our daemon caches replies, the anchor does not
          const salt = r * 100 + n + (mode === 'stream' ? 50 : 0);
          for (const side of order) await once(side, mode, n, salt);
        }
      }
    }
    const results: BenchResult[] = [];
    for (const n of SIZES) {
      for (const mode of ['classic', 'stream'] as const) {
        const key: Key = `${mode} ${n}`;
        const label = `piper ${n} sentence${n > 1 ? 's' : ''} ${mode}`;
        results.push(ratioRow(`${label} first audio: ours / wyoming-piper`, oursSide.first.get(key)!, anchorSide.first.get(key)!, TARGET_TIME, 'ms'));
        results.push(ratioRow(`${label} total: ours / wyoming-piper`, oursSide.total.get(key)!, anchorSide.total.get(key)!, TARGET_TIME, 'ms', `${rounds} interleaved reps`));
      }
    }
    const oursRss = peakRssMb(ours.child.pid!);
    const theirRss = peakRssMb(anchor.child.pid!);
    results.push(
      ...(await runWyomingBench('tts', [
        { label: 'ours-piper', port: ours.port, config: { voice: oursSide.voice } },
        { label: 'wyoming-piper', port, config: { voice: REAL_PIPER_VOICE } },
      ])),
    );
    results.push(ratioRow('piper peak RSS: ours / wyoming-piper', [oursRss], [theirRss], TARGET_RSS, 'MB', 'whole daemon (all of its modules) against the anchor process, after the run'));
    results.push(await enginesAlone(venv.python, raw, sherpaDir));
    return results;
  } finally {
    for (const side of sides) side.client.close();
    for (const server of servers) await server.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

/**
 * The two engines with no server around them: sherpa-onnx's VITS (what our daemon runs, at its
 * default 2 threads) against piper-tts (what wyoming-piper runs, onnxruntime's default threads),
 * the same voice and the 10 sentences, one call per sentence. What the daemon rows miss by beyond
 * this ratio is the daemon's; up to it, the engine's.
 */
async function enginesAlone(python: string, rawOnnx: string, sherpaDir: string): Promise<BenchResult> {
  const texts = SENTENCES;
  const passes = reps(5, 3);
  // generateAsync, as the daemon calls it (the synthesis runs on a libuv thread).
  const sherpa = async (): Promise<number[]> => {
    const onnx = readdirSync(sherpaDir).find((f) => f.endsWith('.onnx'))!;
    const tts = await loadSherpa().OfflineTts.createAsync({
      model: { vits: { model: path.join(sherpaDir, onnx), tokens: path.join(sherpaDir, 'tokens.txt'), dataDir: path.join(sherpaDir, 'espeak-ng-data') }, numThreads: 2, provider: 'cpu', debug: 0 },
      maxNumSentences: 1,
    });
    const pass = async () => {
      const t0 = performance.now();
      for (const t of texts) await tts.generateAsync({ text: t, sid: 0, speed: 1 });
      return performance.now() - t0;
    };
    await pass();
    const out: number[] = [];
    for (let i = 0; i < passes; i++) out.push(await pass());
    return out;
  };
  const piper = async (): Promise<number[]> => {
    const { stdout } = await execFileAsync(python, [PIPER_DIRECT, rawOnnx, `${rawOnnx}.json`, String(passes), JSON.stringify(texts)], { maxBuffer: 1 << 20 });
    return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number[] }).ms;
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let block = 0; block < 2; block++) {
    if (block % 2 === 0) {
      ours.push(...(await sherpa()));
      theirs.push(...(await piper()));
    } else {
      theirs.push(...(await piper()));
      ours.push(...(await sherpa()));
    }
  }
  return ratioRow('piper engines alone, 10 sentences: sherpa-onnx / piper-tts', ours, theirs, TARGET_TIME, 'ms', `direct calls in-process, no server; sherpa-onnx 2 threads (the daemon's default), piper-tts onnxruntime defaults; ${passes * 2} passes each`);
}
