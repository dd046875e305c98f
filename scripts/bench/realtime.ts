/**
 * OpenAI Realtime at /v1/realtime against Wyoming on the same daemon (shared streaming zipformer,
 * Silero VAD, espeak-ng): the time from `speech_stopped` to the completed transcript against the
 * time from `audio-stop` to `transcript`, and the first audio delta after `response.create` against
 * the first `audio-chunk` after `synthesize`. Both stream the same clip at real-time pace in 100 ms
 * chunks; the goal is Realtime within 1.1× of Wyoming.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startOurDaemon } from './anchors-daemon.js';
import { freePort } from './anchors-measure.js';
import { hasCommand, SHARED_MODELS } from '../../test/helpers/system.js';
import { WyomingTestClient } from '../../test/helpers/wyoming-client.js';
import { clipPcm24, RATE, silence } from '../../test/adapters/http/realtime/realtime-audio.js';
import type { BenchResult } from './types.js';

const ZIPFORMER = 'kws-zipformer-gigaspeech-3.3M-mobile';
const CLIP = 'librispeech-1089-134691-0001.wav';
const ROUNDS = 5;
/** Responses (and Wyoming synthesize requests) timed per round. */
const TTS_PER_ROUND = 4;
const CHUNK_MS = 100;
const TARGET_RATIO = 1.1;
const WAIT_MS = 60_000;
/** A new sentence per measurement, so the TTS cache never answers. */
const SENTENCES = [
  'The kitchen timer is done and the oven has been switched off.',
  'It is twenty degrees outside with a light breeze from the west.',
  'The front door is locked and the garage lights are off for the night.',
  'Your next appointment is tomorrow morning at nine thirty downtown.',
  'The washing machine finished its cycle about five minutes ago.',
  'Rain is expected this evening, so bring the cushions inside.',
  'The living room blinds will close at sunset as every evening.',
  'Your parcel was delivered to the neighbour across the street.',
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Event = { type: string; receivedAt: number } & Record<string, unknown>;

/** A plain ws:// Realtime client that resolves when an event of a type arrives. */
class Realtime {
  readonly #events: Event[] = [];
  #waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.#events.push({ ...(JSON.parse(String(data)) as Event), receivedAt: performance.now() });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(url: string): Promise<Realtime> {
    const ws = new WebSocket(url, ['realtime']);
    // Listening before the socket opens: session.created may arrive in the same tick as 'open'.
    const client = new Realtime(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  /** Waits for the next `type` and returns when (performance.now()) it arrived. */
  async next(type: string): Promise<{ event: Event; at: number }> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const index = this.#events.findIndex((e) => e.type === type);
      if (index >= 0) {
        const event = this.#events.splice(0, index + 1).pop()!;
        return { event, at: event.receivedAt };
      }
      if (Date.now() > deadline) throw new Error(`no ${type} within ${WAIT_MS} ms; pending: ${this.#events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

async function streamPaced(send: (chunk: Buffer) => void, pcm: Buffer, bytesPerChunk: number): Promise<void> {
  for (let at = 0; at < pcm.length; at += bytesPerChunk) {
    send(pcm.subarray(at, at + bytesPerChunk));
    await sleep(CHUNK_MS);
  }
}

export async function bench(): Promise<BenchResult[]> {
  if (!hasCommand('espeak-ng')) return [{ name: 'realtime', value: 0, unit: 'skipped', note: 'espeak-ng missing' }];
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-realtime-'));
  for (const dir of [ZIPFORMER, 'silero-vad']) symlinkSync(path.join(SHARED_MODELS, dir), path.join(modelsDir, dir));
  // Its own process, as Home Assistant and a Realtime client would meet it: in this process the
  // client's parsing of the audio deltas would share the daemon's event loop and delay it.
  const httpPort = await freePort();
  const daemon = await startOurDaemon({ models_dir: modelsDir, http: { enabled: true, host: '127.0.0.1', port: httpPort }, tts: { espeak: { voices: ['en-us'] } } });
  const providerPort = daemon.port;
  const url = `ws://127.0.0.1:${httpPort}/v1/realtime?model=gpt-realtime`;
  const pcm = Buffer.concat([silence(300), clipPcm24(CLIP), silence(1000)]);
  const chunkBytes = (RATE * CHUNK_MS * 2) / 1000;
  const rt = { stt: [] as number[], tts: [] as number[] };
  const wy = { stt: [] as number[], tts: [] as number[] };
  let sentence = 0;
  // A counter in every text: with more requests than sentences, none repeats (no cache hit).
  const nextSentence = () => `${SENTENCES[sentence % SENTENCES.length]!} Reply ${++sentence}.`;
  try {
    // One unmeasured round each way loads the models.
    for (let round = -1; round < ROUNDS; round++) {
      const measured = round >= 0;
      const client = await Realtime.open(url);
      await client.next('session.created');
      await streamPaced((chunk) => client.send({ type: 'input_audio_buffer.append', audio: chunk.toString('base64') }), pcm, chunkBytes);
      const stopped = await client.next('input_audio_buffer.speech_stopped');
      const completed = await client.next('conversation.item.input_audio_transcription.completed');
      if (measured) rt.stt.push(completed.at - stopped.at);
      // First audio is a millisecond or two either way: several responses per round, so the median is not one outlier.
      for (let i = 0; i < TTS_PER_ROUND; i++) {
        const asked = performance.now();
        client.send({ type: 'response.create', response: { instructions: nextSentence() } });
        const firstAudio = await client.next('response.output_audio.delta');
        await client.next('response.done');
        if (measured) rt.tts.push(firstAudio.at - asked);
      }
      client.ws.close();

      const wyoming = await WyomingTestClient.connect(providerPort);
      const format = { rate: RATE, width: 2, channels: 1 };
      wyoming.send('transcribe', {});
      wyoming.send('audio-start', { ...format, timestamp: null });
      await streamPaced((chunk) => wyoming.send('audio-chunk', { ...format, timestamp: null }, chunk), pcm, chunkBytes);
      const stop = performance.now();
      wyoming.send('audio-stop', { timestamp: null });
      await wyoming.waitForType('transcript', WAIT_MS);
      const transcribed = performance.now();
      wyoming.close();
      if (measured) wy.stt.push(transcribed - stop);
      for (let i = 0; i < TTS_PER_ROUND; i++) {
        // A connection per request, as Home Assistant makes them; connected before the clock starts.
        const tts = await WyomingTestClient.connect(providerPort);
        const synth = performance.now();
        tts.send('synthesize', { text: nextSentence() });
        await tts.waitForType('audio-chunk', WAIT_MS);
        const firstChunk = performance.now();
        await tts.waitForType('audio-stop', WAIT_MS);
        tts.close();
        if (measured) wy.tts.push(firstChunk - synth);
      }
    }
  } finally {
    await daemon.stop();
  }
  const out: BenchResult[] = [];
  for (const [what, rtMs, wyMs] of [
    ['speech_stopped → transcription completed', median(rt.stt), median(wy.stt)],
    ['response.create → first audio delta', median(rt.tts), median(wy.tts)],
  ] as const) {
    const samples = what.startsWith('response') ? ROUNDS * TTS_PER_ROUND : ROUNDS;
    out.push({ name: `realtime ${what}`, value: Number(rtMs.toFixed(1)), unit: 'ms', note: `median of ${samples}, ${CLIP}` });
    out.push({ name: `realtime ${what} (Wyoming)`, value: Number(wyMs.toFixed(1)), unit: 'ms' });
    // A few ms either way is noise; the ratio is taken with a 1 ms floor so near-zero figures do not explode.
    const ratio = Math.max(rtMs, 1) / Math.max(wyMs, 1);
    out.push({
      name: `realtime ${what} ratio to Wyoming`,
      value: Number(ratio.toFixed(2)),
      unit: '×',
      target: `≤ ${TARGET_RATIO}`,
      pass: ratio <= TARGET_RATIO,
      note: `${rtMs >= wyMs ? '+' : '−'}${Math.abs(rtMs - wyMs).toFixed(1)} ms; the daemon in its own process`,
    });
  }
  return out;
}
