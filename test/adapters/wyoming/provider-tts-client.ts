/** Helpers for driving the Wyoming tts service the way Home Assistant does, over real TCP. */
import { pcmToFloatMono } from '../../../src/audio/pcm.js';
import type { Frame } from '../../../src/wyoming/frame.js';
import { WyomingTestClient } from '../../helpers/wyoming-client.js';

export const REPLY_TIMEOUT_MS = 30_000;

export interface Reply {
  /** Event types from the first reply event on. */
  types: string[];
  format: { rate: number; width: number; channels: number } | undefined;
  chunks: Frame[];
  pcm: Buffer;
  samples: Float32Array;
  error: { text: string; code: string } | undefined;
}

/** The reply events in `frames` from index `from` on. */
export function replyOf(frames: Frame[], from = 0): Reply {
  const mine = frames.slice(from).filter((f) => f.type !== 'info' && f.type !== 'pong');
  const start = mine.find((f) => f.type === 'audio-start');
  const chunks = mine.filter((f) => f.type === 'audio-chunk');
  const pcm = Buffer.concat(chunks.map((c) => c.payload ?? Buffer.alloc(0)));
  const format = start ? { rate: Number(start.data['rate']), width: Number(start.data['width']), channels: Number(start.data['channels']) } : undefined;
  const err = mine.find((f) => f.type === 'error');
  return {
    types: mine.map((f) => f.type),
    format,
    chunks,
    pcm,
    samples: format ? pcmToFloatMono(pcm, format) : new Float32Array(0),
    error: err ? { text: String(err.data['text']), code: String(err.data['code']) } : undefined,
  };
}

/** Collapses runs of audio-chunk into one `audio-chunk*` entry, for comparing sequences. */
export function shape(types: string[]): string[] {
  return types.filter((t, i) => !(t === 'audio-chunk' && types[i - 1] === 'audio-chunk')).map((t) => (t === 'audio-chunk' ? 'audio-chunk*' : t));
}

/** Classic `synthesize`; resolves at audio-stop or error. */
export async function synthesize(client: WyomingTestClient, text: string, voice?: { name?: string; speaker?: string }): Promise<Reply> {
  const from = client.frames.length;
  client.send('synthesize', voice ? { text, voice } : { text });
  await client.waitFor((f) => f.type === 'audio-stop' || f.type === 'error', REPLY_TIMEOUT_MS, from);
  return replyOf(client.frames, from);
}

/** Home Assistant's streaming sequence; resolves at synthesize-stopped. */
export async function streamText(client: WyomingTestClient, pieces: string[], voice?: { name?: string; speaker?: string }): Promise<Reply> {
  const from = client.frames.length;
  client.send('synthesize-start', voice ? { voice } : {});
  for (const text of pieces) client.send('synthesize-chunk', { text });
  client.send('synthesize', voice ? { text: pieces.join(''), voice } : { text: pieces.join('') });
  client.send('synthesize-stop', {});
  await client.waitForType('synthesize-stopped', REPLY_TIMEOUT_MS, from);
  return replyOf(client.frames, from);
}

export async function connect(port: number): Promise<WyomingTestClient> {
  return WyomingTestClient.connect(port);
}

export async function describeInfo(port: number): Promise<Record<string, unknown>> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('describe', {});
    return (await client.waitForType('info')).data;
  } finally {
    client.close();
  }
}
