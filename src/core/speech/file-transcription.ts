/**
 * Transcribing a whole recording (an HTTP upload, a file on the command line). With a VAD
 * installed the speech regions it finds are transcribed one by one, so every segment carries its
 * own text, times, token ids, mean token log probability and the VAD's no-speech probability —
 * and the text is the same whatever format the caller renders it in; without one, the file is one
 * pass and segments come from word times.
 */
import { resample } from '../../audio/pcm.js';
import type { AsrEngine, AsrResult, AsrTask, AsrToken, AsrWord } from '../../engines/asr/asr.js';
import type { VadFactory, VadSegment } from '../../engines/vad/vad.js';

/** Audio handed to a session per accept() call (the file is all there: large pieces, few messages). */
export const FEED_CHUNK_SECONDS = 1;
/** Context kept around each VAD region so word edges are not clipped. */
export const SEGMENT_PADDING_SECONDS = 0.4;
/** Rate the VAD models take. */
const VAD_RATE = 16_000;
/** Without a VAD, a pause this long between words starts a new segment. */
const WORD_GAP_SECONDS = 0.8;

/** Whisper counts `seek` in 10 ms frames. */
const SEEK_FRAMES_PER_SECOND = 100;

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  /** Where the audio decoded for this segment began, in 10 ms frames (Whisper's `seek`). */
  seek: number;
  /** Ids of the segment's tokens in the model's token table (empty when the model has none). */
  tokens: number[];
  /** Mean natural-log probability of the tokens; undefined when the model reports none. */
  avgLogprob: number | undefined;
  /** 1 − the VAD's mean speech probability over the region; undefined without a VAD. */
  noSpeechProb: number | undefined;
}

export interface Transcript {
  text: string;
  language: string | undefined;
  duration: number;
  segments: TranscriptSegment[];
  /** Present only when the engine reports word times. */
  words: AsrWord[] | undefined;
  /** Tokens the text was decoded into (words where the engine reports no tokens). */
  outputTokens: number;
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
    const { regions, speech } = await speechRegions(options.vad, samples, rate, options);
    const segments: TranscriptSegment[] = [];
    const words: AsrWord[] = [];
    let language: string | undefined;
    let anyWords = false;
    let outputTokens = 0;
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
        words.push(...part.words.map((w) => ({ word: w.word, start: round(w.start + from), end: round(w.end + from) })));
      }
      const text = part.text.trim();
      if (!text) continue;
      outputTokens += tokenCount(part, text);
      segments.push({
        start: round(from),
        end: round(to),
        text,
        seek: Math.round(from * SEEK_FRAMES_PER_SECOND),
        ...tokenDetails(part.tokens ?? []),
        noSpeechProb: round(1 - speech.mean(region.start, region.end), 4),
      });
    }
    const text = segments.map((s) => s.text).join(' ');
    return { text, language, duration, segments, words: anyWords ? words : undefined, outputTokens };
  }
  const result = await runSession(engine, samples, options);
  const decoded = result.text.trim();
  const segments = segmentsFromWords(result.words, result.tokens ?? [], decoded, duration);
  // Every format renders the segments or this text: they must say the same.
  const text = segments.map((s) => s.text).join(' ');
  return { text, language: result.language, duration, segments, words: result.words, outputTokens: text ? tokenCount(result, text) : 0 };
}

function tokenCount(result: AsrResult, text: string): number {
  return result.tokens?.length || text.split(/\s+/).filter(Boolean).length;
}

function tokenDetails(tokens: readonly AsrToken[]): Pick<TranscriptSegment, 'tokens' | 'avgLogprob'> {
  const ids = tokens.flatMap((t) => (t.id === undefined ? [] : [t.id]));
  const known = tokens.length > 0 && tokens.every((t) => t.logprob !== undefined);
  const avgLogprob = known ? round(tokens.reduce((sum, t) => sum + t.logprob!, 0) / tokens.length, 4) : undefined;
  return { tokens: ids, avgLogprob };
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

/** Speech probability per VAD window, for each region's mean. */
class SpeechProbabilities {
  readonly #ends: number[] = [];
  readonly #values: number[] = [];

  add(probability: number, end: number): void {
    this.#ends.push(end);
    this.#values.push(probability);
  }

  /** Mean probability of the windows ending within (from, to]; 0 when none do. */
  mean(from: number, to: number): number {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < this.#ends.length; i++) {
      const end = this.#ends[i]!;
      if (end <= from || end > to + 1e-6) continue;
      sum += this.#values[i]!;
      n++;
    }
    return n === 0 ? 0 : sum / n;
  }
}

async function speechRegions(vad: VadFactory, samples: Float32Array, rate: number, options: TranscribeOptions): Promise<{ regions: VadSegment[]; speech: SpeechProbabilities }> {
  const regions: VadSegment[] = [];
  const speech = new SpeechProbabilities();
  const stream = await vad.createStream({
    threshold: options.vadSettings.threshold,
    minSilenceSeconds: options.vadSettings.minSilenceSeconds,
    onSpeechEnd: (segment) => regions.push(segment),
    onProbability: (probability, end) => speech.add(probability, end),
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
  return { regions, speech };
}

/**
 * Without a VAD: split at pauses between timed words (each segment takes the tokens that start
 * within it), or one segment for the whole file. No VAD, so no no-speech probability.
 */
function segmentsFromWords(words: AsrWord[] | undefined, tokens: readonly AsrToken[], text: string, duration: number): TranscriptSegment[] {
  if (!text) return [];
  const segment = (start: number, end: number, segmentText: string, own: readonly AsrToken[]): TranscriptSegment => ({
    start: round(start),
    end: round(end),
    text: segmentText,
    seek: 0,
    ...tokenDetails(own),
    noSpeechProb: undefined,
  });
  if (!words || words.length === 0) return [segment(0, duration, text, tokens)];
  const groups: AsrWord[][] = [];
  let current: AsrWord[] = [];
  for (const word of words) {
    const last = current.at(-1);
    if (last && word.start - last.end > WORD_GAP_SECONDS) {
      groups.push(current);
      current = [];
    }
    current.push(word);
  }
  groups.push(current);
  return groups.map((group, i) => {
    const start = group[0]!.start;
    const next = groups[i + 1]?.[0]?.start ?? Infinity;
    // Token times are emission times: a token belongs to the segment its time falls in.
    const own = tokens.filter((t) => t.start !== undefined && t.start >= (i === 0 ? -Infinity : start) && t.start < next);
    return segment(start, group.at(-1)!.end, group.map((w) => w.word.trim()).join(' '), own);
  });
}

function round(seconds: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(seconds * scale) / scale;
}
