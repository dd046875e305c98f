/**
 * Voice activity detection contract (Silero). A factory is shared by the whole daemon
 * (`ctx.engines.vad`); each audio stream (a provider request, the satellite's microphone, an HTTP
 * upload) opens its own {@link VadStream} and feeds it float32 mono samples at 16 kHz.
 */

export interface VadSegment {
  /** Seconds from the start of the stream. */
  start: number;
  end: number;
}

export interface VadStreamEvents {
  /** Speech began at `start` seconds of stream time. */
  onSpeechStart?: (start: number) => void;
  /** Speech ended (after the configured silence) at `end` seconds of stream time. */
  onSpeechEnd?: (segment: VadSegment) => void;
  /** Each window's speech probability, with the stream time (seconds) at the window's end. */
  onProbability?: (probability: number, end: number) => void;
}

export interface VadStream {
  /** Feed float32 mono 16 kHz samples; resolves once they are processed. */
  accept(samples: Float32Array): Promise<void>;
  /** Speech probability of the most recent window. */
  readonly probability: number;
  readonly speaking: boolean;
  /** Closed speech segments so far (stream seconds). */
  readonly segments: readonly VadSegment[];
  /** Seconds of audio processed so far. */
  readonly time: number;
  /** End of input: closes any open segment. */
  flush(): Promise<void>;
  close(): void;
}

export interface VadOptions extends VadStreamEvents {
  threshold?: number;
  minSilenceSeconds?: number;
  minSpeechSeconds?: number;
}

export interface VadFactory {
  readonly name: string;
  /** True while the native model is in memory (false before first use and after an idle unload). */
  readonly loaded: boolean;
  createStream(options: VadOptions): Promise<VadStream>;
  /** Load the model now (preload, benchmarks); otherwise it loads on first use. */
  load?(): Promise<void>;
  close(): Promise<void>;
}
