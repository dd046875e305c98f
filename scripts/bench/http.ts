/**
 * The OpenAI-compatible HTTP shim in the real daemon (shared streaming zipformer, espeak-ng):
 * transcription latency per clip over HTTP, the shim's time over a direct engine call on the
 * same audio, speech time to first byte, and event-loop delay while 4 uploads run at once.
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseWav } from '../../src/audio/wav.js';
import { pcmToFloatMono } from '../../src/audio/pcm.js';
import { startTestDaemon, type TestDaemon } from '../../test/helpers/daemon.js';
import { hasCommand, SHARED_MODELS } from '../../test/helpers/system.js';
import type { BenchResult } from './types.js';

const ZIPFORMER = 'kws-zipformer-gigaspeech-3.3M-mobile';
const TARGET_OVERHEAD = 1.1;
const TARGET_TTFB_MS = 300;
const TARGET_LOOP_P99_MS = 20;
const CONCURRENT = 4;
/** Different texts each run, so the TTS cache of recent sentences does not answer. */
const SENTENCES = [
  'The kitchen timer is done. Would you like me to set another one for ten minutes?',
  'It is twenty degrees outside with a light breeze from the west this afternoon.',
  'The front door is locked and the garage lights have been switched off for the night.',
  'Your next appointment is tomorrow morning at nine thirty at the dentist downtown.',
];

const round = (v: number, digits = 3) => Number(v.toFixed(digits));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface Clip {
  file: string;
  bytes: Buffer;
  seconds: number;
  samples: Float32Array;
}

function clips(): Clip[] {
  const dir = path.join(SHARED_MODELS, 'test-wavs');
  return readFileSync(path.join(dir, 'trans.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const file = line.slice(0, line.indexOf(' '));
      const bytes = readFileSync(path.join(dir, file));
      const wav = parseWav(bytes);
      const samples = pcmToFloatMono(wav.pcm, wav.format);
      return { file, bytes, seconds: samples.length / wav.format.rate, samples };
    });
}

async function transcribeHttp(url: string, clip: Clip): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([clip.bytes], { type: 'audio/wav' }), clip.file);
  form.append('model', 'whisper-1');
  const started = performance.now();
  const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
  await res.json();
  if (!res.ok) throw new Error(`transcription failed with ${res.status}`);
  return performance.now() - started;
}

async function transcribeDirect(daemon: TestDaemon, clip: Clip): Promise<number> {
  const engine = daemon.context.speech.engine('asr', ZIPFORMER)!;
  const started = performance.now();
  const session = await engine.createSession({});
  session.accept(clip.samples);
  await session.finish();
  return performance.now() - started;
}

async function speechTtfb(url: string, text: string): Promise<{ ttfb: number; total: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: text, response_format: 'pcm' }),
  });
  const reader = res.body!.getReader();
  let ttfb = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (value && value.length && !ttfb) ttfb = performance.now() - started;
    if (done) break;
  }
  return { ttfb, total: performance.now() - started };
}

export async function bench(): Promise<BenchResult[]> {
  if (!existsSync(path.join(SHARED_MODELS, ZIPFORMER))) {
    return [{ name: 'http shim', value: 0, unit: '', note: `skipped: ${ZIPFORMER} not found under ${SHARED_MODELS}` }];
  }
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-http-'));
  for (const dir of [ZIPFORMER, 'silero-vad']) symlinkSync(path.join(SHARED_MODELS, dir), path.join(modelsDir, dir));
  const daemon = await startTestDaemon({ models_dir: modelsDir, http: { enabled: true, port: 0, max_concurrent: CONCURRENT }, tts: { espeak: { voices: ['en-us'] } } });
  const url = `http://127.0.0.1:${daemon.context.endpoints.http!.port}`;
  const out: BenchResult[] = [];
  try {
    const all = clips();
    await transcribeHttp(url, all[0]!); // load the model once
    const viaHttp: number[] = [];
    const direct: number[] = [];
    let audio = 0;
    for (const clip of all) {
      viaHttp.push(await transcribeHttp(url, clip));
      direct.push(await transcribeDirect(daemon, clip));
      audio += clip.seconds;
    }
    const httpTotal = viaHttp.reduce((a, b) => a + b, 0);
    const directTotal = direct.reduce((a, b) => a + b, 0);
    out.push({ name: 'http transcription latency (median clip)', value: round(median(viaHttp), 1), unit: 'ms', note: `${all.length} clips, ${ZIPFORMER}` });
    out.push({ name: 'http transcription RTF', value: round(httpTotal / 1000 / audio, 4), unit: 'x', note: `${round(audio, 1)} s of audio, upload + decode + answer` });
    const overhead = httpTotal / directTotal;
    out.push({ name: 'http time / direct engine time', value: round(overhead, 3), unit: 'x', target: `≤ ${TARGET_OVERHEAD}`, pass: overhead <= TARGET_OVERHEAD });

    if (hasCommand('espeak-ng')) {
      const runs = [];
      for (const text of SENTENCES) runs.push(await speechTtfb(url, text));
      const ttfb = median(runs.map((r) => r.ttfb));
      out.push({ name: 'http speech time to first byte (espeak-ng)', value: round(ttfb, 1), unit: 'ms', target: `≤ ${TARGET_TTFB_MS}`, pass: ttfb <= TARGET_TTFB_MS });
      out.push({ name: 'http speech total time (espeak-ng)', value: round(median(runs.map((r) => r.total)), 1), unit: 'ms', note: `about ${SENTENCES[0]!.length} characters, pcm, median of ${runs.length}` });
    } else {
      out.push({ name: 'http speech', value: 0, unit: '', note: 'skipped: espeak-ng not installed' });
    }

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const longest = [...all].sort((a, b) => b.seconds - a.seconds).slice(0, CONCURRENT);
    await Promise.all(longest.map((clip) => transcribeHttp(url, clip)));
    loop.disable();
    const p99 = loop.percentile(99) / 1e6;
    out.push({ name: `event-loop delay p99, ${CONCURRENT} uploads at once`, value: round(p99, 1), unit: 'ms', target: `≤ ${TARGET_LOOP_P99_MS}`, pass: p99 <= TARGET_LOOP_P99_MS });
  } finally {
    await daemon.stop();
  }
  return out;
}
