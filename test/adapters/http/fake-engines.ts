/**
 * Tiny in-process engines for testing the shim's own logic (routing, limits, envelopes) without
 * model weights. The real engines are exercised through the daemon in the other shim tests.
 */
import type { AsrEngine, AsrResult, AsrSession, AsrSessionOptions, AsrTask } from '../../../src/engines/asr/asr.js';
import type { TtsEngine, TtsRequest, TtsVoiceInfo } from '../../../src/engines/tts/tts.js';
import type { EngineSpec } from '../../../src/core/speech/engine-kinds.js';

const attribution = { name: 'test', url: 'https://example.invalid' };

/** "Transcribes" by reporting how many seconds of non-silent audio it was given. */
export class CountingAsr implements AsrEngine {
  readonly info;
  readonly loaded = true;
  sessions: AsrSessionOptions[] = [];

  constructor(name = 'counting-asr', tasks: AsrTask[] = ['transcribe']) {
    this.info = { name, description: 'test', languages: ['en'], version: null, attribution, backend: 'test', streaming: true, sampleRate: 16000, tasks };
  }

  async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    this.sessions.push(options);
    let samples = 0;
    let loud = 0;
    let partial = 'heard';
    return {
      accept: (chunk) => {
        samples += chunk.length;
        for (const v of chunk) if (Math.abs(v) > 0.01) loud++;
        partial += ' .';
        options.onPartial?.(partial);
      },
      finish: async (): Promise<AsrResult> => ({ text: `${partial} ${samples} samples ${loud} loud` }),
      cancel: () => undefined,
    };
  }

  async unload(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Reports two timed words with a long pause between them, as a word-timing engine would. */
export class WordsAsr extends CountingAsr {
  override async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    const inner = await super.createSession(options);
    return {
      ...inner,
      finish: async () => ({
        text: 'hello world',
        words: [
          { word: ' hello', start: 0.1, end: 0.4 },
          { word: ' world', start: 2.0, end: 2.5 },
        ],
      }),
    };
  }
}

/**
 * Takes `seconds` to finish a session, reporting a partial at once; a cancelled or aborted
 * session rejects at once. `cancelled` counts sessions that were cancelled.
 */
export class SlowAsr extends CountingAsr {
  cancelled = 0;

  constructor(
    name: string,
    readonly seconds: number,
  ) {
    super(name);
  }

  override async createSession(options: AsrSessionOptions): Promise<AsrSession> {
    this.sessions.push(options);
    let stop: ((err: Error) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const cancel = () => {
      if (stopped) return;
      stopped = true;
      this.cancelled++;
      clearTimeout(timer);
      stop?.(new Error('session cancelled'));
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    return {
      accept: () => options.onPartial?.('still'),
      finish: () =>
        new Promise<AsrResult>((resolve, reject) => {
          if (stopped) return reject(new Error('session cancelled'));
          stop = reject;
          timer = setTimeout(() => {
            stopped = true;
            resolve({ text: 'still listening' });
          }, this.seconds * 1000);
        }),
      cancel,
    };
  }
}

/** A voice that sings a 440 Hz tone, 0.1 s per character, in 0.1 s chunks spread over ticks (or `tickMs` apart). */
export class ToneTts implements TtsEngine {
  readonly voices: TtsVoiceInfo[];
  readonly loaded = true;
  requests: TtsRequest[] = [];

  readonly #tickMs: number;

  /** `prefix` names the voices `<prefix>-low` and `<prefix>-high`; `backend` is what they report. */
  constructor(
    readonly rate = 22050,
    { prefix = 'tone', backend = 'test', tickMs = 0 }: { prefix?: string; backend?: string; tickMs?: number } = {},
  ) {
    this.#tickMs = tickMs;
    this.voices = ['low', 'high'].map((pitch) => ({
      name: `${prefix}-${pitch}`,
      description: 'test',
      languages: ['en'],
      version: null,
      attribution,
      backend,
      sampleRate: rate,
      speakers: null,
    }));
  }

  async synthesize(request: TtsRequest): Promise<{ sampleRate: number }> {
    this.requests.push(request);
    const chunk = Math.round(this.rate / 10);
    for (let i = 0; i < request.text.length; i++) {
      request.signal?.throwIfAborted();
      const samples = new Float32Array(chunk);
      for (let j = 0; j < chunk; j++) samples[j] = 0.5 * Math.sin((2 * Math.PI * 440 * (i * chunk + j)) / this.rate);
      request.onAudio(samples);
      await new Promise((resolve) => (this.#tickMs > 0 ? setTimeout(resolve, this.#tickMs) : setImmediate(resolve)));
    }
    return { sampleRate: this.rate };
  }

  async unload(): Promise<void> {}
  async close(): Promise<void> {}
}

/** What the catalogue would find if these engines were installed (in this order). */
export function registry(asr: AsrEngine[] = [new CountingAsr()], tts: TtsEngine[] = [new ToneTts()]): EngineSpec[] {
  return [
    ...asr.map((engine): EngineSpec => ({ kind: 'asr', id: engine.info.name, key: engine.info.name, preload: false, build: () => engine })),
    ...tts.map((engine, i): EngineSpec => ({ kind: 'tts', id: `tts-${i}`, key: `tts-${i}`, preload: false, build: () => engine })),
  ];
}
