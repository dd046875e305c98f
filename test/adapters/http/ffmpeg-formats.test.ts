/**
 * Compressed audio through ffmpeg in the real daemon: uploads in mp3, ogg/opus, flac and m4a are
 * transcribed like the WAV they came from, and speech comes back as mp3/opus/aac/flac that ffmpeg
 * decodes to speech again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { referenceClips } from '../../helpers/clips.js';
import { hasCommand, need } from '../../helpers/system.js';
import { corpusWer, wer } from '../../helpers/wer.js';
import { recognize } from '../../helpers/recognize.js';
import { haveEspeak, haveModels, startHttpDaemon, type HttpDaemon } from './http-daemon.js';

const run = promisify(execFile);
const haveFfmpeg = hasCommand('ffmpeg');
const SENTENCE = 'set an alarm for seven in the morning please';
/** Container → ffmpeg codec arguments used to make the test upload. */
const UPLOADS: Record<string, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  ogg: ['-c:a', 'libopus', '-b:a', '32k'],
  flac: ['-c:a', 'flac'],
  m4a: ['-c:a', 'aac', '-b:a', '64k'],
};

async function ffmpegToFloat(file: string, rate: number): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-ac', '1', '-ar', String(rate), 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.length - (stdout.length % 4)));
}

describe('compressed audio through ffmpeg', { concurrency: false }, () => {
  let daemon: HttpDaemon | undefined;
  let client: OpenAI;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'http-ffmpeg-'));
    if (!haveModels || !haveFfmpeg) return;
    daemon = await startHttpDaemon();
    client = new OpenAI({ apiKey: 'unused', baseURL: `${daemon.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('mp3, ogg/opus, flac and m4a uploads are transcribed', async (t) => {
    if (!need(t, haveModels && haveFfmpeg, 'ffmpeg or shared models missing')) return;
    // Two short clips keep this quick: ffmpeg and the recogniser run once per clip and format.
    const clips = referenceClips().filter((c) => /1089-134691-0000|1089-134686-0001/.test(c.file));
    assert.equal(clips.length, 2);
    for (const [ext, codec] of Object.entries(UPLOADS)) {
      const pairs = [];
      for (const clip of clips) {
        const file = path.join(dir, `${path.basename(clip.file, '.wav')}.${ext}`);
        await run('ffmpeg', ['-v', 'error', '-y', '-i', clip.path, ...codec, file]);
        const result = await client.audio.transcriptions.create({ file: await toFile(readFileSync(file), path.basename(file)), model: 'whisper-1' });
        pairs.push({ reference: clip.reference, hypothesis: result.text });
      }
      const score = corpusWer(pairs);
      t.diagnostic(`${ext}: corpus WER ${(score * 100).toFixed(1)}%`);
      assert.ok(score <= 0.2, `${ext}: WER ${score}`);
    }
  });

  test('speech in mp3, opus, aac and flac decodes to the spoken words', async (t) => {
    if (!need(t, haveModels && haveFfmpeg && haveEspeak, 'ffmpeg, espeak-ng or shared models missing')) return;
    for (const format of ['mp3', 'opus', 'aac', 'flac'] as const) {
      const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE, response_format: format });
      const file = path.join(dir, `speech.${format}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.ok(bytes.length > 1000, `${format}: ${bytes.length} bytes`);
      writeFileSync(file, bytes);
      const heard = await recognize(await ffmpegToFloat(file, 16000), 16000);
      assert.ok(wer(SENTENCE, heard) < 0.8, `${format}: ${heard}`);
    }
    // With no response_format and ffmpeg present, speech defaults to mp3 as OpenAI's does.
    const plain = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
    assert.equal(plain.headers.get('content-type'), 'audio/mpeg');
    await plain.arrayBuffer();
  });
});
