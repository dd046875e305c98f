/**
 * Uploads whose declared format or length is out of bounds, against the real daemon: a WAV is
 * judged by its header before a sample is converted (400 invalid_audio for a format outside the
 * allowed set, 413 audio_too_long past http.max_audio_s), ffmpeg's output is cut off at the limit,
 * the daemon's memory stays flat through all of it, and the next valid request is answered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { referenceClips } from '../../helpers/clips.js';
import { hasCommand, need } from '../../helpers/system.js';
import { wer } from '../../helpers/wer.js';
import { haveModels, startHttpDaemon, type HttpDaemon } from './http-daemon.js';
import { envelope, postForm } from './shim-harness.js';

const run = promisify(execFile);
const haveFfmpeg = hasCommand('ffmpeg');
const MAX_AUDIO_S = 30;
/** How far the daemon's resident memory may rise over all these uploads. */
const MEMORY_BOUND_BYTES = 200 * 1024 * 1024;
const TWO_MB = 2 * 1024 * 1024;
const WAVE_FORMAT_PCM = 1;

interface Header {
  channels: number;
  rate: number;
  bits: number;
  /** The data chunk's size field; default: the real length. */
  declaredBytes?: number;
}

/** A WAV with whatever header it is given (byte rate and block align follow it, wrapped to their field widths). */
function wav(header: Header, data: Buffer): Buffer {
  const out = Buffer.alloc(44);
  const blockAlign = (header.channels * header.bits) / 8;
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(Math.min(0xffffffff, 36 + data.length), 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  out.writeUInt16LE(header.channels, 22);
  out.writeUInt32LE(header.rate, 24);
  out.writeUInt32LE((header.rate * blockAlign) % 2 ** 32, 28);
  out.writeUInt16LE(blockAlign % 2 ** 16, 32);
  out.writeUInt16LE(header.bits, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(header.declaredBytes ?? data.length, 40);
  return Buffer.concat([out, data]);
}

/** Noise, so nothing about the samples makes decoding cheap. */
function noise(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 2654435761) >>> 24;
  return out;
}

describe('audio bounds checked from the declared format', { concurrency: false }, () => {
  let daemon: HttpDaemon | undefined;
  let dir: string;
  let rssBefore = 0;
  const peakRss = () => process.resourceUsage().maxRSS * 1024;
  const post = (data: Buffer, name = 'a.wav') => postForm(`${daemon!.url}/v1/audio/transcriptions`, { model: 'whisper-1' }, { name, data });

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'http-bounds-'));
    if (!haveModels) return;
    daemon = await startHttpDaemon({ max_audio_s: MAX_AUDIO_S });
    rssBefore = process.memoryUsage().rss;
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 2 MB WAV declared at 100 Hz is a 400 invalid_audio naming the rate', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const res = await post(wav({ channels: 1, rate: 100, bits: 16 }, noise(TWO_MB)));
    assert.equal(res.status, 400);
    const error = await envelope(res);
    assert.equal(error.code, 'invalid_audio');
    assert.equal(error.param, 'file');
    assert.match(error.message, /sample rate 100\b/);
  });

  test('absurd WAV headers (rate 1 or 0xFFFFFFFF, 0 or 65535 channels, 0 bits, 24-bit with 65535 channels) are 400 invalid_audio', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const cases: Array<[string, Header]> = [
      ['rate 1', { channels: 1, rate: 1, bits: 16 }],
      ['rate 0xFFFFFFFF', { channels: 1, rate: 0xffffffff, bits: 16 }],
      ['rate 0', { channels: 1, rate: 0, bits: 16 }],
      ['0 channels', { channels: 0, rate: 16000, bits: 16 }],
      ['65535 channels', { channels: 65535, rate: 16000, bits: 16 }],
      ['0 bits', { channels: 1, rate: 16000, bits: 0 }],
      ['24-bit, 65535 channels, open length', { channels: 65535, rate: 8000, bits: 24, declaredBytes: 0xffffffff }],
    ];
    for (const [label, header] of cases) {
      const res = await post(wav(header, noise(TWO_MB)));
      assert.equal(res.status, 400, label);
      const error = await envelope(res);
      assert.equal(error.code, 'invalid_audio', `${label}: ${error.message}`);
    }
  });

  test('a WAV at 8 kHz longer than max_audio_s is a 413 audio_too_long, also 24-bit with a huge declared length', async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    // 2 MiB of 16-bit 8 kHz mono is 131 s; as 24-bit with a data size of nearly 4 GiB, 87 s.
    for (const [label, header] of [
      ['16-bit', { channels: 1, rate: 8000, bits: 16 }],
      ['24-bit, data size 0xFFFFFFF0', { channels: 1, rate: 8000, bits: 24, declaredBytes: 0xfffffff0 }],
    ] as Array<[string, Header]>) {
      const res = await post(wav(header, noise(TWO_MB)));
      assert.equal(res.status, 413, label);
      const error = await envelope(res);
      assert.equal(error.code, 'audio_too_long', label);
      assert.match(error.message, new RegExp(`limit is ${MAX_AUDIO_S} s`));
    }
  });

  test('a two-hour FLAC through ffmpeg is cut off at max_audio_s with a 413', async (t) => {
    if (!need(t, haveModels && haveFfmpeg, 'ffmpeg or shared models missing')) return;
    // Two hours of silence: a small upload that would decode to 460 MB of float samples.
    const file = path.join(dir, 'long.flac');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '7200', '-c:a', 'flac', file]);
    const res = await post(readFileSync(file), 'long.flac');
    assert.equal(res.status, 413);
    assert.equal((await envelope(res)).code, 'audio_too_long');
  });

  test("the daemon's memory stays within 200 MB across these uploads and the next valid request is answered", async (t) => {
    if (!need(t, haveModels, 'shared models missing')) return;
    const peak = peakRss();
    const now = process.memoryUsage().rss;
    const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
    t.diagnostic(`rss before ${mb(rssBefore)}, now ${mb(now)}, peak ${mb(peak)}`);
    // maxRSS is the peak over the process's life: it catches a spike inside a synchronous conversion.
    assert.ok(peak - rssBefore < MEMORY_BOUND_BYTES, `peak RSS rose by ${mb(peak - rssBefore)}`);
    assert.ok(now - rssBefore < MEMORY_BOUND_BYTES, `RSS rose by ${mb(now - rssBefore)}`);
    const clip = referenceClips().find((c) => c.file.startsWith('librispeech-1089-134691-0001'))!;
    const res = await post(readFileSync(clip.path));
    assert.equal(res.status, 200);
    const { text } = (await res.json()) as { text: string };
    assert.ok(wer(clip.reference, text) <= 0.25, text);
  });
});
