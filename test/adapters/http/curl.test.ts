/**
 * curl, run as a child process, against the shim in the real daemon: a multipart upload answered
 * with the transcript, a speech download that is speech, and the error envelope (with the status)
 * for a missing file, a wrong key and an upload over the limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseWav } from '../../../src/audio/wav.js';
import { pcmToFloatMono } from '../../../src/audio/pcm.js';
import { referenceClips } from '../../helpers/clips.js';
import { hasCommand, need } from '../../helpers/system.js';
import { wer } from '../../helpers/wer.js';
import { recognize } from '../../helpers/recognize.js';
import { haveEspeak, haveModels, startHttpDaemon, type HttpDaemon } from './http-daemon.js';

const run = promisify(execFile);
const haveCurl = hasCommand('curl');
const KEY = 'curl-key';
const LIMIT = 512 * 1024;
const SENTENCE = 'what is the weather like in the garden today';

/** Runs curl; returns the body and the status (written last by -w). */
async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args], { maxBuffer: 16 * 1024 * 1024 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('curl against the shim', { concurrency: false }, () => {
  let daemon: HttpDaemon | undefined;
  let dir: string;
  const auth = ['-H', `Authorization: Bearer ${KEY}`];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'http-curl-'));
    if (!haveModels || !haveCurl) return;
    daemon = await startHttpDaemon({ api_key: KEY, max_upload_bytes: LIMIT });
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a multipart upload with curl -F comes back as the transcript, also as text and srt', async (t) => {
    if (!need(t, haveModels && haveCurl, 'curl or shared models missing')) return;
    const clip = referenceClips().find((c) => c.file.startsWith('librispeech-1089-134691-0001'))!;
    const url = `${daemon!.url}/v1/audio/transcriptions`;
    const json = await curl([...auth, '-F', `file=@${clip.path}`, '-F', 'model=whisper-1', url]);
    assert.equal(json.status, 200);
    const text = (JSON.parse(json.body) as { text: string }).text;
    assert.ok(wer(clip.reference, text) <= 0.25, text);
    const plain = await curl([...auth, '-F', `file=@${clip.path}`, '-F', 'model=whisper-1', '-F', 'response_format=text', url]);
    assert.equal(plain.body.trim(), text);
    const srt = await curl([...auth, '-F', `file=@${clip.path}`, '-F', 'response_format=srt', url]);
    assert.match(srt.body, /^1\n\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d\n/);
  });

  test('a speech download with curl -o is a WAV file of the spoken text', async (t) => {
    if (!need(t, haveModels && haveCurl && haveEspeak, 'curl, espeak-ng or shared models missing')) return;
    const out = path.join(dir, 'speech.wav');
    const body = JSON.stringify({ model: 'tts-1', input: SENTENCE, voice: 'echo', response_format: 'wav' });
    const res = await curl([...auth, '-H', 'Content-Type: application/json', '-d', body, '-o', out, `${daemon!.url}/v1/audio/speech`]);
    assert.equal(res.status, 200);
    const wav = parseWav(readFileSync(out));
    const heard = await recognize(pcmToFloatMono(wav.pcm, wav.format), wav.format.rate);
    assert.ok(wer(SENTENCE, heard) < 0.8, heard);
  });

  test('curl sees the envelope and status for a missing file, a wrong key and an oversized upload', async (t) => {
    if (!need(t, haveModels && haveCurl, 'curl or shared models missing')) return;
    const url = `${daemon!.url}/v1/audio/transcriptions`;
    const missing = await curl([...auth, '-F', 'model=whisper-1', url]);
    assert.equal(missing.status, 400);
    assert.equal(JSON.parse(missing.body).error.param, 'file');
    const clip = referenceClips()[0]!;
    const wrong = await curl(['-H', 'Authorization: Bearer nope', '-F', `file=@${clip.path}`, url]);
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.body).error.code, 'invalid_api_key');
    // 8 MiB: curl announces the size and waits for 100-continue, which the shim refuses.
    const big = path.join(dir, 'big.wav');
    writeFileSync(big, Buffer.alloc(8 * 1024 * 1024));
    const tooBig = await curl([...auth, '-F', `file=@${big}`, '-F', 'model=whisper-1', url]);
    assert.equal(tooBig.status, 413);
    assert.equal(JSON.parse(tooBig.body).error.code, 'file_too_large');
    // Without Expect the whole body is sent; the answer is the same.
    const streamed = await curl([...auth, '-H', 'Expect:', '-F', `file=@${big}`, url]);
    assert.equal(streamed.status, 413);
    const health = await curl([`${daemon!.url}/health`]);
    assert.equal(health.status, 200);
  });
});
