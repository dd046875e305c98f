/**
 * The optional `ffmpeg` program: decodes compressed uploads (mp3, ogg/opus, webm, flac, m4a) to
 * float32 mono, and encodes speech to mp3/opus/aac/flac while it is produced. Whether it is
 * installed is probed once; without it the shim still serves WAV and PCM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { SatelliteError } from '../../util/errors.js';

/** How long `ffmpeg -version` may take before ffmpeg counts as missing. */
export const FFMPEG_PROBE_TIMEOUT_MS = 5_000;
/** stderr kept for the error message when ffmpeg fails. */
const MAX_STDERR_BYTES = 4 * 1024;

/** Output formats ffmpeg makes for `/v1/audio/speech`: muxer and codec arguments, content type. */
export const ENCODED_FORMATS = {
  mp3: { args: ['-f', 'mp3', '-c:a', 'libmp3lame', '-b:a', '64k'], contentType: 'audio/mpeg' },
  opus: { args: ['-f', 'ogg', '-c:a', 'libopus', '-b:a', '32k'], contentType: 'audio/ogg' },
  aac: { args: ['-f', 'adts', '-c:a', 'aac', '-b:a', '64k'], contentType: 'audio/aac' },
  flac: { args: ['-f', 'flac', '-c:a', 'flac'], contentType: 'audio/flac' },
} as const;
export type EncodedFormat = keyof typeof ENCODED_FORMATS;

export class Ffmpeg {
  #probe: Promise<boolean> | undefined;

  constructor(readonly program: string) {}

  /** True when the program runs; probed once. */
  available(): Promise<boolean> {
    this.#probe ??= new Promise<boolean>((resolve) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(this.program, ['-hide_banner', '-version'], { stdio: 'pipe' });
      } catch {
        resolve(false);
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), FFMPEG_PROBE_TIMEOUT_MS);
      child.stdout.resume();
      child.stderr.resume();
      child.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
    return this.#probe;
  }

  /**
   * Decodes any container ffmpeg knows to float32 mono at `rate`. The bytes go through a temp
   * file because some containers (m4a with its index at the end) cannot be read from a pipe.
   */
  async decode(bytes: Buffer, rate: number, maxSamples: number, signal?: AbortSignal): Promise<Float32Array> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'satellite-http-'));
    try {
      const input = path.join(dir, 'input');
      await writeFile(input, bytes);
      const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-vn', '-f', 'f32le', '-ac', '1', '-ar', String(rate), 'pipe:1'];
      const out = await this.#collect(args, maxSamples * 4, signal);
      const samples = Math.floor(out.length / 4);
      // Copied out: the collected buffer's offset need not be 4-byte aligned.
      return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + samples * 4));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Starts an encoder reading 16-bit mono PCM at `rate` on stdin and writing `format` on stdout. */
  encoder(rate: number, format: EncodedFormat): ChildProcessWithoutNullStreams {
    const args = ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', String(rate), '-ac', '1', '-i', 'pipe:0', ...ENCODED_FORMATS[format].args, 'pipe:1'];
    return spawn(this.program, args, { stdio: 'pipe' });
  }

  #collect(args: string[], maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
      const chunks: Buffer[] = [];
      let total = 0;
      let tooLong = false;
      child.stdout.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) {
          tooLong = true;
          child.kill('SIGKILL');
          return;
        }
        chunks.push(chunk);
      });
      const stderr = tail(child.stderr);
      child.on('error', (err) => reject(new SatelliteError('SAT_ERR_FFMPEG', `ffmpeg failed to run: ${err.message}`, { cause: err })));
      child.on('close', (code) => {
        if (tooLong) reject(new SatelliteError('SAT_ERR_UTTERANCE_TOO_LONG', 'audio is longer than this server accepts'));
        else if (code === 0) resolve(Buffer.concat(chunks));
        else reject(new SatelliteError('SAT_ERR_AUDIO_FORMAT', `ffmpeg could not decode the file: ${stderr().trim() || `exit ${code}`}`));
      });
    });
  }
}

/** Keeps the last few KiB of a stream, for error messages. */
export function tail(stream: Readable): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-MAX_STDERR_BYTES);
  });
  return () => text;
}
