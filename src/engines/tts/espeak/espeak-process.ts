/**
 * eSpeak NG as one child process per request, for systems where libespeak-ng cannot be loaded:
 * `espeak-ng --stdout` with the text on stdin (never on the command line), its WAV streamed as it
 * is written: the header once, then PCM as it arrives. Aborting kills the child at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PcmFrameAligner, StreamResampler, pcmToFloatMono, type PcmFormat } from '../../../audio/pcm.js';
import { parseWav } from '../../../audio/wav.js';
import { SatelliteError } from '../../../util/errors.js';
import { abortError } from '../sherpa-tts.js';

/** stderr kept for an error message. */
const MAX_STDERR_BYTES = 4096;

export interface EspeakProcessRequest {
  program: string;
  /** espeak voice id (`en-us`). */
  voice: string;
  wpm: number;
  text: string;
  /** The rate the caller wants (the program's WAV is resampled to it if it differs). */
  rate: number;
  signal?: AbortSignal | undefined;
  onAudio: (samples: Float32Array) => void;
  /** Children running now, so closing the engine can kill them. */
  children: Set<ChildProcess>;
}

export function speakWithProcess(r: EspeakProcessRequest): Promise<void> {
  const { signal } = r;
  if (signal?.aborted) return Promise.reject(abortError());
  const child = spawn(r.program, ['--stdout', '-b', '1', '-v', r.voice, '-s', String(r.wpm)], { stdio: ['pipe', 'pipe', 'pipe'] });
  r.children.add(child);
  const reader = new WavStreamReader(r.rate, r.onAudio);
  let stderr = '';
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      r.children.delete(child);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        reader.push(chunk);
      } catch (err) {
        child.kill('SIGKILL');
        finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng wrote unreadable audio: ${(err as Error).message}`, { cause: err }));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `cannot run ${r.program}: ${err.message}`, { cause: err })));
    child.on('close', (code, sig) => {
      if (code === 0) {
        reader.end();
        finish();
      } else {
        finish(new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng exited with ${code ?? sig}: ${stderr.trim() || 'no message'}`));
      }
    });
    child.stdin.on('error', () => undefined); // a child that died early is reported by 'close'
    child.stdin.end(r.text, 'utf8');
  });
}

/** Turns a WAV byte stream into float samples at `rate`, header first, then PCM as it comes. */
export class WavStreamReader {
  #head: Buffer = Buffer.alloc(0);
  #format: PcmFormat | undefined;
  #resampler: StreamResampler | undefined;
  readonly #aligner = new PcmFrameAligner();

  constructor(
    readonly rate: number,
    readonly onAudio: (samples: Float32Array) => void,
  ) {}

  push(chunk: Buffer): void {
    if (!this.#format) {
      this.#head = Buffer.concat([this.#head, chunk]);
      const dataAt = this.#head.indexOf('data');
      if (dataAt < 0 || this.#head.length < dataAt + 8) return;
      const wav = parseWav(this.#head);
      this.#format = wav.format;
      if (wav.format.rate !== this.rate) this.#resampler = new StreamResampler(wav.format.rate, this.rate);
      this.#head = Buffer.alloc(0);
      this.#emit(wav.pcm);
      return;
    }
    this.#emit(chunk);
  }

  end(): void {
    const tail = this.#resampler?.flush();
    if (tail && tail.length) this.onAudio(tail);
  }

  #emit(bytes: Buffer): void {
    const format = this.#format!;
    const aligned = this.#aligner.push(bytes, format.width * format.channels);
    if (aligned.length === 0) return;
    const mono = pcmToFloatMono(aligned, format);
    const out = this.#resampler ? this.#resampler.push(mono) : mono;
    if (out.length) this.onAudio(out);
  }
}
