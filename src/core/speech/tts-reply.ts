/**
 * One spoken reply: sentences are synthesised one after another as they are added, and their
 * audio goes out as it is produced, as one stream: a single start (the voice's rate, 16-bit mono,
 * sent before the first chunk), chunks of a fixed number of samples, and a single stop. Each
 * sentence is looked up in the cache first and stored there once fully synthesised.
 */
import { floatToInt16Bytes, type PcmFormat } from '../../audio/pcm.js';
import { SatelliteError } from '../../util/errors.js';
import type { TtsCache } from './tts-cache.js';
import { ttsCacheKey } from './tts-cache.js';
import type { VoiceChoice } from './select-voice.js';

const SAMPLE_WIDTH = 2;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 16-bit samples as little-endian bytes: a view where the platform is little-endian. */
function int16Bytes(samples: Int16Array): Buffer {
  const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return LITTLE_ENDIAN ? bytes : Buffer.from(bytes).swap16();
}

/** Where a reply's audio goes (a Wyoming connection, a WAV file, a speaker). */
export interface TtsAudioSink {
  start(format: PcmFormat): Promise<void>;
  chunk(pcm: Buffer): Promise<void>;
  /** Several chunks at once, in order (a socket writes them in one go); absent = `chunk` each. */
  chunks?(pcm: readonly Buffer[]): Promise<void>;
  stop(): Promise<void>;
}

/** Chunks handed to the sink at once at most (a cached sentence comes out in batches of this). */
const MAX_CHUNKS_PER_WRITE = 32;

export interface TtsReplyOptions {
  choice: VoiceChoice;
  speed: number;
  sink: TtsAudioSink;
  samplesPerChunk: number;
  cache?: TtsCache | undefined;
  /** Aborting it cancels the synthesis running now and every sentence after it. */
  signal?: AbortSignal | undefined;
  /** Called once, as soon as a sentence fails. */
  onError?: ((err: unknown) => void) | undefined;
  /** Called once when the reply is over (finished, failed or aborted): the engine's lease ends. */
  onEnd?: (() => void) | undefined;
}

/** Cuts a byte stream into chunks of exactly `size` bytes, keeping the remainder. */
class Rechunker {
  #rest: Buffer = Buffer.alloc(0);
  constructor(readonly size: number) {}

  push(bytes: Buffer): Buffer[] {
    const joined = this.#rest.length ? Buffer.concat([this.#rest, bytes]) : bytes;
    const out: Buffer[] = [];
    let at = 0;
    for (; at + this.size <= joined.length; at += this.size) out.push(joined.subarray(at, at + this.size));
    this.#rest = Buffer.from(joined.subarray(at));
    return out;
  }

  flush(): Buffer | undefined {
    const rest = this.#rest;
    this.#rest = Buffer.alloc(0);
    return rest.length ? rest : undefined;
  }
}

export class TtsReply {
  #options: TtsReplyOptions;
  readonly #abort = new AbortController();
  #chain: Promise<void> = Promise.resolve();
  #started = false;
  #failed: unknown;
  #sentences = 0;
  #cachedSentences = 0;
  #audioBytes = 0;
  #detach: () => void = () => undefined;

  constructor(options: TtsReplyOptions) {
    this.#options = options;
    const outer = options.signal;
    if (outer?.aborted) this.#abort.abort();
    else if (outer) {
      // One connection runs many replies: the listener goes when the reply is over.
      const onAbort = () => this.#abort.abort();
      outer.addEventListener('abort', onAbort, { once: true });
      this.#detach = () => outer.removeEventListener('abort', onAbort);
    }
  }

  get format(): PcmFormat {
    return { rate: this.#options.choice.voice.sampleRate, width: SAMPLE_WIDTH, channels: 1 };
  }

  /** The voice speaking (logs, tests). */
  get voice(): string {
    return this.#options.choice.voice.name;
  }

  /** Sentences added so far. */
  get sentences(): number {
    return this.#sentences;
  }

  /** Sentences served from the cache. */
  get cachedSentences(): number {
    return this.#cachedSentences;
  }

  get audioBytes(): number {
    return this.#audioBytes;
  }

  get failed(): unknown {
    return this.#failed;
  }

  /** Queues a sentence; it is spoken after every sentence added before it. */
  add(sentence: string): void {
    this.#sentences++;
    this.#chain = this.#chain.then(() => this.#speak(sentence));
  }

  /** Waits for every queued sentence, then ends the stream (start is sent even for no audio). */
  async finish(): Promise<void> {
    try {
      await this.#chain;
      if (this.#failed !== undefined) throw this.#failed;
      if (this.#abort.signal.aborted) throw new SatelliteError('SAT_ERR_CANCELLED', 'synthesis cancelled');
      await this.#start();
      await this.#options.sink.stop();
    } finally {
      this.#end();
    }
  }

  /** Cancels the running and queued work (the engine is let go once the running sentence has stopped). */
  abort(): void {
    this.#abort.abort();
    this.#detach();
    void this.#chain.then(
      () => this.#end(),
      () => this.#end(),
    );
  }

  #end(): void {
    this.#detach();
    this.#detach = () => undefined;
    const onEnd = this.#options.onEnd;
    this.#options = { ...this.#options, onEnd: undefined };
    onEnd?.();
  }

  async #start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#options.sink.start(this.format);
  }

  async #send(pcm: Buffer): Promise<void> {
    await this.#start();
    this.#audioBytes += pcm.length;
    await this.#options.sink.chunk(pcm);
  }

  /** Sends `chunks` in order, as few sink calls as the sink allows. */
  async #sendAll(chunks: readonly Buffer[]): Promise<void> {
    const { sink } = this.#options;
    if (!sink.chunks) {
      for (const chunk of chunks) await this.#send(chunk);
      return;
    }
    await this.#start();
    for (let at = 0; at < chunks.length; at += MAX_CHUNKS_PER_WRITE) {
      const batch = chunks.slice(at, at + MAX_CHUNKS_PER_WRITE);
      for (const chunk of batch) this.#audioBytes += chunk.length;
      await sink.chunks(batch);
    }
  }

  async #speak(text: string): Promise<void> {
    if (this.#failed !== undefined || this.#abort.signal.aborted) return;
    const { choice, speed, cache, samplesPerChunk } = this.#options;
    const key = ttsCacheKey(choice.voice.name, choice.speaker, speed, text);
    const chunker = new Rechunker(samplesPerChunk * SAMPLE_WIDTH);
    let sending: Promise<void> = Promise.resolve();
    try {
      const cached = cache?.get(key);
      if (cached) {
        this.#cachedSentences++;
        await this.#sendAll(chunker.push(cached.pcm));
      } else {
        const parts: Buffer[] = [];
        const take = (pcm: Buffer) => {
          parts.push(pcm);
          const chunks = chunker.push(pcm);
          if (chunks.length) sending = sending.then(() => this.#sendAll(chunks));
        };
        await choice.engine.synthesize({
          text,
          voice: choice.voice.name,
          speaker: choice.speaker,
          speed,
          signal: this.#abort.signal,
          onAudio: (samples) => take(floatToInt16Bytes(samples)),
          onPcm16: (samples) => take(int16Bytes(samples)),
        });
        await sending;
        if (!this.#abort.signal.aborted) cache?.set(key, { rate: choice.voice.sampleRate, pcm: Buffer.concat(parts) });
      }
      const tail = chunker.flush();
      if (tail && !this.#abort.signal.aborted) await this.#send(tail);
    } catch (err) {
      await sending.catch(() => undefined);
      if (this.#abort.signal.aborted) return;
      this.#failed = err;
      this.#abort.abort();
      this.#options.onError?.(err);
    }
  }
}
