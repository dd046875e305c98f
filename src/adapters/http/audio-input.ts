/**
 * Uploaded audio → float32 mono at the engine's rate. WAV (8/16/24/32-bit integer or 32-bit
 * float, the rates and channel counts `checkFormat` allows) is decoded here; every other container
 * goes through ffmpeg when it is installed, and is refused with a 400 that says so when it is not.
 *
 * The work an upload can cause is bounded from what it declares, before anything is converted: a
 * WAV's header gives its format and length, so an unsupported format is a 400 and audio past
 * `maxSeconds` a 413 without decoding or resampling a sample. ffmpeg's output is cut off one
 * sample past the limit.
 */
import { decodedWidth, parseWav, readWavLayout } from '../../audio/wav.js';
import { checkFormat, pcmToFloatMono, resample } from '../../audio/pcm.js';
import { httpStatusOf } from '../../util/error-codes.js';
import { errorCode, SatelliteError } from '../../util/errors.js';
import type { Ffmpeg } from './ffmpeg.js';
import { HttpError } from './http-errors.js';

/** Containers named in the error message when ffmpeg is missing. */
const FFMPEG_CONTAINERS = 'mp3, ogg/opus, webm, flac, m4a';

export interface DecodedAudio {
  samples: Float32Array;
  rate: number;
  seconds: number;
}

export function isWav(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WAVE';
}

export async function decodeUpload(
  bytes: Buffer,
  rate: number,
  options: { ffmpeg: Ffmpeg; maxSeconds: number; signal?: AbortSignal },
): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new HttpError(400, 'the uploaded file is empty', { code: 'invalid_audio', param: 'file' });
  const maxSamples = Math.ceil(options.maxSeconds * rate);
  let samples: Float32Array;
  if (isWav(bytes)) {
    samples = decodeWav(bytes, rate, options.maxSeconds);
  } else {
    if (!(await options.ffmpeg.available())) {
      throw new HttpError(
        400,
        `the file is not WAV; decoding other formats (${FFMPEG_CONTAINERS}) needs ffmpeg, which is not installed ` +
          `(looked for '${options.ffmpeg.program}'); send WAV or install ffmpeg`,
        { code: 'unsupported_format', param: 'file' },
      );
    }
    try {
      // ffmpeg is stopped as soon as its output passes this: the limit is never buffered whole.
      samples = await options.ffmpeg.decode(bytes, rate, maxSamples + 1, options.signal);
    } catch (err) {
      throw audioError(err);
    }
  }
  if (samples.length > maxSamples) throw tooLong(samples.length / rate, options.maxSeconds);
  return { samples, rate, seconds: samples.length / rate };
}

/** Checks the declared format and length first; converts only what passed. */
function decodeWav(bytes: Buffer, rate: number, maxSeconds: number): Float32Array {
  try {
    const layout = readWavLayout(bytes);
    checkFormat({ rate: layout.rate, channels: layout.channels, width: decodedWidth(layout) });
    if (layout.bits < 8 || layout.bits % 8 !== 0) throw new SatelliteError('SAT_ERR_BAD_WAV', `unsupported sample size ${layout.bits} bits`);
    const frames = Math.floor(layout.dataBytes / ((layout.bits / 8) * layout.channels));
    const seconds = frames / layout.rate;
    // The resampled length, known before resampling: it is what the engine would be fed.
    const outputSamples = Math.ceil((frames * rate) / layout.rate);
    if (seconds > maxSeconds || outputSamples > Math.ceil(maxSeconds * rate)) throw tooLong(seconds, maxSeconds);
    const wav = parseWav(bytes);
    return resample(pcmToFloatMono(wav.pcm, wav.format), wav.format.rate, rate);
  } catch (err) {
    throw audioError(err);
  }
}

function tooLong(seconds: number, maxSeconds: number): HttpError {
  return new HttpError(413, `audio is ${seconds.toFixed(1)} s long; the limit is ${maxSeconds} s`, { code: 'audio_too_long', param: 'file' });
}

function audioError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const code = errorCode(err);
  // The status is the registry's for the code; the envelope keeps its OpenAI-style code.
  const status = httpStatusOf(code);
  if (code === 'SAT_ERR_UTTERANCE_TOO_LONG') {
    return new HttpError(status, (err as Error).message, { code: 'audio_too_long', param: 'file', cause: err });
  }
  if (err instanceof SatelliteError && (code === 'SAT_ERR_BAD_WAV' || code === 'SAT_ERR_AUDIO_FORMAT')) {
    return new HttpError(status, `cannot decode the audio file: ${err.message}`, { code: 'invalid_audio', param: 'file', cause: err });
  }
  return new HttpError(status, `decoding the audio failed: ${(err as Error).message}`, { code: 'decode_failed', cause: err });
}
