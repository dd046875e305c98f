import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav, readWavLayout } from '../../src/audio/wav.js';
import { need, sharedModel } from '../helpers/system.js';
import { ZIPFORMER, clipAs, hasZipformer } from '../helpers/stt-fixtures.js';
import { wer } from '../helpers/wer.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const ENV = { ...process.env, SATELLITE_MODELS__AUTO_PULL: 'false', SATELLITE_MDNS__ENABLED: 'false' };
const JFK = 'AND SO MY FELLOW AMERICANS ASK NOT WHAT YOUR COUNTRY CAN DO FOR YOU ASK WHAT YOU CAN DO FOR YOUR COUNTRY';

function run(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, [CLI, 'transcribe', ...args, '--models-dir', sharedModel(), '--set', 'engine.num_threads=1'], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
    env: ENV,
    input,
  });
}

test('satellite transcribe prints the transcript of a WAV file', (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const r = run([sharedModel('test-wavs', 'jfk.wav')]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(wer(JFK, r.stdout) <= 0.25, r.stdout);
});

test('--json adds the model used and timings, and other formats are converted', (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const { pcm, format } = clipAs('jfk.wav', 44_100, 2);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'transcribe-')), 'jfk-44k-stereo.wav');
  writeFileSync(file, encodeWav(pcm, format));
  const r = run([file, '--json', '--model', ZIPFORMER]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { text: string; model: string; audio_seconds: number; timings: Record<string, number> };
  assert.equal(out.model, ZIPFORMER);
  assert.ok(wer(JFK, out.text) <= 0.25, out.text);
  assert.ok(Math.abs(out.audio_seconds - 11) < 0.05);
  for (const key of ['load_ms', 'decode_ms', 'total_ms', 'real_time_factor']) assert.equal(typeof out.timings[key], 'number');
});

test('an unknown model or a missing file fails with a coded message', (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const unknown = run([sharedModel('test-wavs', 'jfk.wav'), '--model', 'nope']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /SAT_ERR_MODEL_NOT_FOUND/);
  const usage = run([]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /SAT_ERR_USAGE/);
});

test('transcribe - reads the WAV from stdin', (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  const r = run(['-'], readFileSync(sharedModel('test-wavs', 'jfk.wav')));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(wer(JFK, r.stdout) <= 0.25, r.stdout);
});

test('a WAV cut off after its header is transcribed as far as it goes, with a warning and exit 1', (t) => {
  if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
  // the first 1000 bytes of an 11 s clip: the header still declares 11 s
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'transcribe-')), 'cut.wav');
  writeFileSync(file, readFileSync(sharedModel('test-wavs', 'jfk.wav')).subarray(0, 1000));
  const r = run([file]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /cut\.wav is truncated: its header declares 11\.00 s of audio, it holds 0\.03 s \(SAT_ERR_BAD_WAV\)/);
  // a file written by a streaming writer (open length) is not a truncated one
  const open = Buffer.from(readFileSync(sharedModel('test-wavs', 'jfk.wav')));
  open.writeUInt32LE(0xffffffff, readWavLayout(open).dataOffset - 4);
  const streamed = path.join(path.dirname(file), 'open.wav');
  writeFileSync(streamed, open);
  const ok = run([streamed]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /truncated/);
});
