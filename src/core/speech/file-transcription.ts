/**
 * Transcribing a whole recording (an HTTP upload, a file on the command line). With a VAD
 * installed the speech regions it finds are transcribed one by one, so every segment carries its
 * own text and times — and the text is the same whatever format the caller renders it in; without
 * one, the file is one pass and segments come from word times.
 */
import { resample } from '../../audio/pcm.js';
import type { AsrEngine, AsrTask, AsrWord } from '../../engines/asr/asr.js';
import type { VadFactory, VadSegment } from '../../engines/vad/vad.js';

/** Audio handed to a session per accept() call (the file is all there: large pieces, few messages). */
export const FEED_CHUNK_SECONDS = 1;
/** Context kept around each VAD region so word edges are not clipped. */
export const SEGMENT_PADDING_SECONDS = 0.4;
/** Rate the VAD models take. */
const VAD_RATE = 16_000;
/** Without a VAD, a pause this long between words starts a new segment. */
const WORD_GAP_SECONDS = 0.8;

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  text: string;
  language: string | undefined;
  duration: number;
  segments: TranscriptSegment[];
  /** Present only when the engine reports word times. */
  words: AsrWord[] | undefined;
}

export interface TranscribeOptions {
  language: string | undefined;
  task: AsrTask;
  signal: AbortSignal;
  /** Speech regions are transcribed one by one when there is a VAD. */
  vad: VadFactory | undefined;
  vadSettings: { threshold: number; minSilenceSeconds: number };
  /** Partial text as it grows (streaming engines). */
  onPartial?: ((text: string) => void) | undefined;
}

export async function transcribe(engine: AsrEngine, samples: Float32Array, options: TranscribeOptions): Promise<Transcript> {
  const rate = engine.info.sampleRate;
  const duration = samples.length / rate;
  if (options.vad) {
    const regions = await speechRegions(options.vad, samples, rate, options);
    const segments: TranscriptSegment[] = [];
    const words: AsrWord[] = [];
    let language: string | undefined;
    let anyWords = false;
    for (const region of regions) {
      const from = Math.max(0, region.start - SEGMENT_PADDING_SECONDS);
      const to = Math.min(duration, region.end + SEGMENT_PADDING_SECONDS);
      // Partial text grows across regions: what earlier regions said, then this one's partial.
      const before = segments.map((seg) => seg.text).join(' ');
      const onPartial = options.onPartial && ((text: string) => options.onPartial!(before && text ? `${before} ${text}` : before || text));
      const part = await runSession(engine, samples.subarray(Math.floor(from * rate), Math.ceil(to * rate)), { ...options, onPartial });
      language ??= part.language;
      if (part.words) {
        anyWords = true;
        words.push(...part.words.map((w) => ({ word: w.word, start: w.start + from, end: w.end + from })));
      }
      if (part.text.trim()) segments.push({ start: round(from), end: round(to), text: part.text.trim() });
    }
    const text = segments.map((s) => s.text).join(' ');
    return { text, language, duration, segments, words: anyWords ? words : undefined };
  }
  const result = await runSession(engine, samples, options);
  const text = result.text.trim();
  const segments = segmentsFromWords(result.words, text, duration);
  return { text, language: result.language, duration, segments, words: result.words };
}

async function runSession(engine: AsrEngine, samples: Float32Array, options: TranscribeOptions) {
  const session = await engine.createSession({
    language: options.language,
    task: options.task,
    signal: options.signal,
    onPartial: options.onPartial,
  });
  try {
    const step = Math.max(1, Math.round(FEED_CHUNK_SECONDS * engine.info.sampleRate));
    for (let at = 0; at < samples.length; at += step) {
      options.signal.throwIfAborted();
      // accept() may return a promise (the engine pushing back): the next chunk waits for it.
      await untilAborted(session.accept(samples.subarray(at, Math.min(samples.length, at + step))), options.signal);
    }
    return await untilAborted(session.finish(), options.signal);
  } catch (err) {
    session.cancel();
    throw err;
  }
}

/**
 * Waits for engine work, or rejects with the abort reason as soon as the request is aborted, so a
 * cancelled request never waits on an engine that cannot stop at once.
 */
async function untilAborted<T>(work: T | Promise<T>, signal: AbortSignal): Promise<T> {
  if (!(work instanceof Promise)) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function speechRegions(vad: VadFactory, samples: Float32Array, rate: number, options: TranscribeOptions): Promise<VadSegment[]> {
  const regions: VadSegment[] = [];
  const stream = await vad.createStream({
    threshold: options.vadSettings.threshold,
    minSilenceSeconds: options.vadSettings.minSilenceSeconds,
    onSpeechEnd: (segment) => regions.push(segment),
  });
  try {
    const audio = rate === VAD_RATE ? samples : resample(samples, rate, VAD_RATE);
    const step = Math.round(FEED_CHUNK_SECONDS * VAD_RATE);
    for (let at = 0; at < audio.length; at += step) {
      options.signal.throwIfAborted();
      await stream.accept(audio.subarray(at, Math.min(audio.length, at + step)));
    }
    await stream.flush();
  } finally {
    stream.close();
  }
  return regions;
}

/** Without a VAD: split at pauses between timed words, or one segment for the whole file. */
function segmentsFromWords(words: AsrWord[] | undefined, text: string, duration: number): TranscriptSegment[] {
  if (!text) return [];
  if (!words || words.length === 0) return [{ start: 0, end: round(duration), text }];
  const segments: TranscriptSegment[] = [];
  let current: AsrWord[] = [];
  const flush = () => {
    if (current.length === 0) return;
    segments.push({ start: round(current[0]!.start), end: round(current.at(-1)!.end), text: current.map((w) => w.word.trim()).join(' ') });
    current = [];
  };
  for (const word of words) {
    const last = current.at(-1);
    if (last && word.start - last.end > WORD_GAP_SECONDS) flush();
    current.push(word);
  }
  flush();
  return segments;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
