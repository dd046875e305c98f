/**
 * Turns a voice's float32 output into the requested response format: WAV (16-bit at the voice's
 * rate; a whole file with its real length, or while it is produced with an open-length header as
 * OpenAI streams it), raw PCM at 24 kHz (OpenAI's `pcm`), or mp3/opus/aac/flac through an ffmpeg
 * child process.
 */
import { floatToInt16Bytes, StreamResampler } from '../../audio/pcm.js';
import { wavHeader } from '../../audio/wav.js';
import { SatelliteError } from '../../util/errors.js';
import { ENCODED_FORMATS, tail, type EncodedFormat, type Ffmpeg } from './ffmpeg.js';

/** OpenAI's `pcm`: raw 24 kHz 16-bit little-endian mono. */
export const OPENAI_PCM_RATE = 24_000;
/** Streaming WAV length marker: the size is not known while audio is still being made. */
const UNKNOWN_LENGTH = 0xffffffff;

export const NATIVE_FORMATS = ['wav', 'pcm'] as const;
export const SPEECH_FORMATS = [...NATIVE_FORMATS, ...(Object.keys(ENCODED_FORMATS) as EncodedFormat[])];
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

export const CONTENT_TYPES: Record<SpeechFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
  ...Object.fromEntries(Object.entries(ENCODED_FORMATS).map(([k, v]) => [k, v.contentType])),
} as Record<SpeechFormat, string>;

export function isEncodedFormat(format: string): format is EncodedFormat {
  return format in ENCODED_FORMATS;
}

export interface AudioEncoder {
  /** Samples at the voice's rate, as the engine produces them. */
  push(samples: Float32Array): void;
  /** No more samples: resolves once every output byte has been handed on. */
  end(): Promise<void>;
  /** Stops at once (request cancelled). */
  abort(): void;
}

/**
 * `streamed: false` (WAV only) keeps the audio until `end()` and hands on one complete file whose
 * header states the real length; streamed WAV starts with an open-length header at once.
 */
export function createEncoder(
  format: SpeechFormat,
  voiceRate: number,
  ffmpeg: Ffmpeg,
  onBytes: (bytes: Buffer) => void,
  options: { streamed?: boolean } = {},
): AudioEncoder {
  if (format === 'wav') return options.streamed === false ? wholeWavEncoder(voiceRate, onBytes) : wavEncoder(voiceRate, onBytes);
  if (format === 'pcm') return pcmEncoder(voiceRate, onBytes);
  return ffmpegEncoder(format, voiceRate, ffmpeg, onBytes);
}

function wavEncoder(rate: number, onBytes: (bytes: Buffer) => void): AudioEncoder {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    onBytes(wavHeader({ rate, width: 2, channels: 1 }, UNKNOWN_LENGTH));
  };
  return {
    push(samples) {
      start();
      if (samples.length) onBytes(floatToInt16Bytes(samples));
    },
    end: async () => start(),
    abort: () => undefined,
  };
}

/** The whole reply as one WAV file: a header with the real sizes, then the samples. */
function wholeWavEncoder(rate: number, onBytes: (bytes: Buffer) => void): AudioEncoder {
  let parts: Buffer[] = [];
  let bytes = 0;
  return {
    push(samples) {
      if (!samples.length) return;
      const pcm = floatToInt16Bytes(samples);
      parts.push(pcm);
      bytes += pcm.length;
    },
    end: async () => {
      onBytes(Buffer.concat([wavHeader({ rate, width: 2, channels: 1 }, bytes), ...parts]));
      parts = [];
    },
    abort: () => {
      parts = [];
    },
  };
}

function pcmEncoder(rate: number, onBytes: (bytes: Buffer) => void): AudioEncoder {
  const resampler = new StreamResampler(rate, OPENAI_PCM_RATE);
  const emit = (samples: Float32Array) => {
    if (samples.length) onBytes(floatToInt16Bytes(samples));
  };
  return {
    push: (samples) => emit(resampler.push(samples)),
    end: async () => emit(resampler.flush()),
    abort: () => undefined,
  };
}

function ffmpegEncoder(format: EncodedFormat, rate: number, ffmpeg: Ffmpeg, onBytes: (bytes: Buffer) => void): AudioEncoder {
  const child = ffmpeg.encoder(rate, format);
  const stderr = tail(child.stderr);
  child.stdout.on('data', (chunk: Buffer) => onBytes(chunk));
  child.stdin.on('error', () => undefined); // a dead encoder is reported by its exit code
  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new SatelliteError('SAT_ERR_FFMPEG', `ffmpeg failed to run: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new SatelliteError('SAT_ERR_FFMPEG', `ffmpeg could not encode ${format}: ${stderr().trim() || `exit ${code ?? signal}`}`));
    });
  });
  finished.catch(() => undefined); // observed by end(); an aborted encoder is not an error
  return {
    push(samples) {
      if (samples.length && child.stdin.writable) child.stdin.write(floatToInt16Bytes(samples));
    },
    end() {
      child.stdin.end();
      return finished;
    },
    abort() {
      child.kill('SIGKILL');
    },
  };
}
