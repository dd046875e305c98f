/**
 * A long mixed run against the daemon child: describe, transcribe, synthesize, wake detect,
 * flows abandoned mid-stream and malformed bytes, from several peers at once. Memory is read
 * (after a forced GC) once a warm-up has loaded every model and again after the measured requests,
 * so the drift is what requests leave behind, not what first use allocates.
 */
import { createRandom, laneSeed, type Random } from '../../../test/helpers/seeded-random.js';
import type { BenchDaemon } from './bench-daemon.js';
import type { Probe } from './daemon-child.js';
import { abandonOnce, describeOnce, detectOnce, malformedOnce, synthesizeOnce, transcribeOnce, type Audio, type Outcome } from './requests.js';

export interface SoakInputs {
  port: number;
  stt: { audio: Audio; reference: string };
  tts: { text: string; voice: string };
  wake: { audio: Audio; name: string };
}

export interface SoakResult {
  requests: number;
  failed: Record<string, number>;
  start: Probe;
  end: Probe;
  elapsedMs: number;
}

/** Share of each request kind in the mix. */
const MIX: Array<[kind: string, weight: number]> = [
  ['describe', 35],
  ['stt', 15],
  ['tts', 10],
  ['wake', 10],
  ['abandoned', 20],
  ['malformed', 10],
];
const FIRST_PEER = 100;
/** Abandoned connections finish closing within this before memory is read. */
const DRAIN_TIMEOUT_MS = 15_000;

function pickKind(r: Random): string {
  let x = r.int(MIX.reduce((sum, [, w]) => sum + w, 0));
  for (const [kind, weight] of MIX) {
    if ((x -= weight) < 0) return kind;
  }
  return 'describe';
}

let ttsCount = 0;

function request(kind: string, inputs: SoakInputs, r: Random, from: string): Promise<Outcome> {
  const { port } = inputs;
  switch (kind) {
    case 'stt':
      return transcribeOnce(port, inputs.stt.audio, inputs.stt.reference, from);
    case 'tts':
      // a new text each time, so the TTS cache does not answer it
      return synthesizeOnce(port, `${inputs.tts.text}, request ${++ttsCount}.`, inputs.tts.voice, from);
    case 'wake':
      return detectOnce(port, inputs.wake.audio, inputs.wake.name, from);
    case 'abandoned':
      return abandonOnce(port, inputs.stt.audio, r, from);
    case 'malformed':
      return malformedOnce(port, r, from);
    default:
      return describeOnce(port, from);
  }
}

/** `count` requests over `lanes` peers; failures counted as `kind: reason`. */
async function phase(inputs: SoakInputs, count: number, lanes: number, seed: number, failed: Record<string, number>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const r = createRandom(laneSeed(seed, lane));
      const from = `127.0.0.${FIRST_PEER + lane}`;
      while (next < count) {
        next++;
        const kind = pickKind(r);
        const outcome = await request(kind, inputs, r, from);
        if (!outcome.ok) failed[`${kind}: ${outcome.detail}`] = (failed[`${kind}: ${outcome.detail}`] ?? 0) + 1;
      }
    }),
  );
}

export async function soak(daemon: BenchDaemon, inputs: SoakInputs, options: { warmup: number; requests: number; lanes: number; seed: number }): Promise<SoakResult> {
  const warmupFailures: Record<string, number> = {};
  await phase(inputs, options.warmup, options.lanes, options.seed, warmupFailures);
  const start = await daemon.probe();
  const began = Date.now();
  const failed: Record<string, number> = {};
  await phase(inputs, options.requests, options.lanes, options.seed + 1, failed);
  const elapsedMs = Date.now() - began;
  return { requests: options.requests, failed, start, end: await daemon.drained(DRAIN_TIMEOUT_MS), elapsedMs };
}
