/**
 * One provider request each, as a LAN peer (its own loopback address) makes it over a fresh
 * connection: describe, transcribe, synthesize, wake detect, a flow abandoned mid-stream, and
 * malformed bytes. Each resolves with whether it was answered correctly and how long it took.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WyomingTestClient, sendAudio } from '../../../test/helpers/wyoming-client.js';
import { fuzzScript } from '../../../test/helpers/wyoming-fuzz-frames.js';
import type { Random } from '../../../test/helpers/seeded-random.js';
import { wer } from '../../../test/helpers/wer.js';

export interface Outcome {
  ok: boolean;
  ms: number;
  /** Why it was not ok (an error code, a timeout, a wrong answer). */
  detail?: string;
}

export interface Audio {
  pcm: Buffer;
  format: { rate: number; width: number; channels: number };
}

/** Longest wait for an answer under load (64 requests queue behind each other on 2 cores). */
export const ANSWER_TIMEOUT_MS = 180_000;
const WER_LIMIT = 0.3;
/** A malformed request waits this long for the server's error before it goes. */
const MALFORMED_LINGER_MS = 100;

async function timed(port: number, from: string | undefined, run: (client: WyomingTestClient) => Promise<string | undefined>): Promise<Outcome> {
  const started = performance.now();
  let client: WyomingTestClient | undefined;
  try {
    client = await WyomingTestClient.connect(port, '127.0.0.1', from);
    const problem = await run(client);
    return { ok: problem === undefined, ms: performance.now() - started, ...(problem ? { detail: problem } : {}) };
  } catch (err) {
    return { ok: false, ms: performance.now() - started, detail: err instanceof Error ? err.message.slice(0, 120) : String(err) };
  } finally {
    client?.close();
  }
}

const errorOf = (client: WyomingTestClient) => client.frames.find((f) => f.type === 'error')?.data['code'];

export function describeOnce(port: number, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    client.send('describe', {});
    const info = await client.waitFor((f) => f.type === 'info' || f.type === 'error', ANSWER_TIMEOUT_MS);
    return info.type === 'info' ? undefined : `error ${String(info.data['code'])}`;
  });
}

export function transcribeOnce(port: number, audio: Audio, reference: string, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    client.send('transcribe', { language: 'en' });
    sendAudio(client, audio.pcm, audio.format);
    const reply = await client.waitFor((f) => f.type === 'transcript' || f.type === 'error', ANSWER_TIMEOUT_MS);
    if (reply.type === 'error') return `error ${String(reply.data['code'])}`;
    const score = wer(reference, String(reply.data['text']));
    return score <= WER_LIMIT ? undefined : `WER ${score.toFixed(2)}`;
  });
}

export function synthesizeOnce(port: number, text: string, voice: string, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    client.send('synthesize', { text, voice: { name: voice } });
    const end = await client.waitFor((f) => f.type === 'audio-stop' || f.type === 'error', ANSWER_TIMEOUT_MS);
    if (end.type === 'error') return `error ${String(end.data['code'])}`;
    const types = client.types();
    const chunks = types.filter((t) => t === 'audio-chunk').length;
    return types.indexOf('audio-start') >= 0 && chunks > 0 && types.indexOf('audio-start') < types.indexOf('audio-chunk') ? undefined : `reply ${types.join(',')}`;
  });
}

/** Home Assistant's wake flow on a clip that contains `wakeName`, ended with audio-stop. */
export function detectOnce(port: number, audio: Audio, wakeName: string, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    client.send('detect', { names: [wakeName] });
    sendAudio(client, audio.pcm, audio.format);
    const reply = await client.waitFor((f) => ['detection', 'not-detected', 'error'].includes(f.type), ANSWER_TIMEOUT_MS);
    if (reply.type === 'detection') return reply.data['name'] === wakeName ? undefined : `detected ${String(reply.data['name'])}`;
    return reply.type === 'error' ? `error ${String(reply.data['code'])}` : 'not detected';
  });
}

/** A transcribe, detect or synthesize whose peer vanishes part-way. Ok unless the server sent an error first. */
export function abandonOnce(port: number, audio: Audio, r: Random, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    const kind = r.int(3);
    if (kind === 2) client.send('synthesize', { text: 'This reply is never read by anyone at all.' });
    else {
      if (kind === 0) client.send('transcribe', { language: 'en' });
      else client.send('detect', { names: null });
      const part = audio.pcm.subarray(0, Math.floor((audio.pcm.length * r.next()) / 2) * 2);
      sendAudio(client, part, audio.format, 100, false);
    }
    await sleep(r.int(50));
    const code = errorOf(client);
    return code === undefined ? undefined : `error ${String(code)}`;
  });
}

/** Fuzz bytes; always ok (the measure is what it costs the daemon, not the reply). */
export function malformedOnce(port: number, r: Random, from?: string): Promise<Outcome> {
  return timed(port, from, async (client) => {
    client.writeRaw(fuzzScript(r).bytes);
    await client.waitClosed(MALFORMED_LINGER_MS).catch(() => undefined);
    return undefined;
  });
}
