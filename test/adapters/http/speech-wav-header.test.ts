/**
 * The WAV header of /v1/audio/speech replies: a reply asked for without `stream_format` is one
 * file whose header states its real length (so soxi and ffprobe read its duration), while a
 * streamed one keeps the open-length header OpenAI streams with.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseWav, readWavLayout } from '../../../src/audio/wav.js';
import { hasCommand } from '../../helpers/system.js';
import { registry, ToneTts } from './fake-engines.js';
import { startShim, type Shim } from './shim-harness.js';

const RATE = 22050;
/** ToneTts makes 0.1 s of audio per character. */
const TEXT = 'abcdefghij';
const SECONDS = 1;
const OPEN_LENGTH = 0xffffffff;
const HEADER_BYTES = 44;

function speech(shim: Shim, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${shim.url}/v1/audio/speech`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
}

describe('speech reply WAV header', () => {
  let shim: Shim;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'speech-wav-'));
  before(async () => {
    shim = await startShim({}, registry(undefined, [new ToneTts(RATE)]));
  });
  after(async () => {
    await shim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a WAV asked for without stream_format states its real length, and has a Content-Length', async () => {
    const res = await speech(shim, { input: TEXT, response_format: 'wav' });
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    assert.equal(res.headers.get('transfer-encoding'), null);
    const dataBytes = SECONDS * RATE * 2;
    assert.equal(bytes.length, HEADER_BYTES + dataBytes);
    assert.equal(bytes.readUInt32LE(4), bytes.length - 8, 'RIFF size');
    const layout = readWavLayout(bytes);
    assert.equal(bytes.readUInt32LE(layout.dataOffset - 4), dataBytes, 'data size');
    const wav = parseWav(bytes);
    assert.deepEqual(wav.format, { rate: RATE, width: 2, channels: 1 });
    assert.equal(wav.pcm.length, dataBytes);
  });

  test('soxi and ffprobe read the duration of a non-streamed reply', async (t) => {
    const tools = ['soxi', 'ffprobe'].filter(hasCommand);
    if (!tools.length) {
      t.skip('neither soxi (sox) nor ffprobe (ffmpeg) is installed');
      return;
    }
    const res = await speech(shim, { input: TEXT, response_format: 'wav' });
    const file = path.join(dir, 'reply.wav');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    if (tools.includes('soxi')) {
      const seconds = Number(execFileSync('soxi', ['-D', file], { encoding: 'utf8' }).trim());
      assert.ok(Math.abs(seconds - SECONDS) < 0.001, `soxi says ${seconds} s`);
    }
    if (tools.includes('ffprobe')) {
      const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
      assert.ok(Math.abs(Number(out.trim()) - SECONDS) < 0.001, `ffprobe says ${out.trim()} s`);
    }
  });

  test('a streamed WAV (stream_format audio) is sent as made, with the open-length header', async () => {
    const res = await speech(shim, { input: TEXT, response_format: 'wav', stream_format: 'audio' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.equal(res.headers.get('content-length'), null);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.readUInt32LE(4), OPEN_LENGTH);
    assert.equal(bytes.readUInt32LE(40), OPEN_LENGTH);
    assert.equal(parseWav(bytes).pcm.length, SECONDS * RATE * 2, 'all the audio follows');
  });

  test('a WAV over server-sent events starts with the open-length header', async () => {
    const res = await speech(shim, { input: TEXT, response_format: 'wav', stream_format: 'sse' });
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => JSON.parse(block.replace(/^data: /, '')) as { type: string; audio?: string });
    const audio = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')));
    assert.equal(audio.toString('ascii', 0, 4), 'RIFF');
    assert.equal(audio.readUInt32LE(40), OPEN_LENGTH);
    assert.equal(audio.length, HEADER_BYTES + SECONDS * RATE * 2);
  });
});
