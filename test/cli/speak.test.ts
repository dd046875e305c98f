import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../../src/audio/wav.js';
import { pcmToFloatMono } from '../../src/audio/pcm.js';
import { PIPER_FIXTURE_RATE, systemEspeakDataDir, writePiperFixture } from '../../scripts/fixtures/tts-fixtures.js';
import { hasCommand, need } from '../helpers/system.js';
import { hasRecognizer, recognize } from '../helpers/recognize.js';
import { corpusWer } from '../helpers/wer.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const WER_LIMIT = 0.8;
const hasEspeak = hasCommand('espeak-ng');
const dir = mkdtempSync(path.join(os.tmpdir(), 'speak-cli-'));
const ENV = { ...process.env, SATELLITE_MODELS__AUTO_PULL: 'false', SATELLITE_STATE_DIR: dir, SATELLITE_MODELS_DIR: path.join(dir, 'models') };

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, 'speak', ...args], { env: ENV, cwd: dir, input, maxBuffer: 64 * 1024 * 1024 });
}

describe('satellite speak', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a WAV of the text that the recogniser understands', async (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    if (!need(t, hasRecognizer(), 'shared zipformer recogniser missing')) return;
    const out = path.join(dir, 'out.wav');
    const text = 'Please turn off the kitchen lights.';
    const r = run([text, '-o', out, '--voice', 'espeak-ng-en-us']);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stderr.toString(), /espeak-ng-en-us/);
    const wav = parseWav(readFileSync(out));
    assert.deepEqual(wav.format, { rate: 22050, width: 2, channels: 1 });
    const heard = await recognize(pcmToFloatMono(wav.pcm, wav.format), wav.format.rate);
    assert.ok(corpusWer([{ reference: text, hypothesis: heard }]) < WER_LIMIT, `heard "${heard}"`);
  });

  test('-o - writes the WAV to stdout and - reads the text from stdin', (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const r = run(['-', '-o', '-'], 'Reading from standard input.');
    assert.equal(r.status, 0, r.stderr.toString());
    const wav = parseWav(r.stdout);
    assert.ok(wav.pcm.length > 22050, 'about a second of speech or more');
  });

  test('--list-voices shows installed voices, and a voice folder under models_dir is used by name', (t) => {
    const data = systemEspeakDataDir();
    if (!need(t, hasEspeak && data !== null, 'espeak-ng and its data are needed')) return;
    writePiperFixture(path.join(dir, 'models', 'en_US-fixture-x_low'), { espeakDataDir: data! });
    const list = run(['--list-voices']);
    assert.equal(list.status, 0);
    const names = list.stdout.toString().split('\n').map((l) => l.split('\t')[0]);
    assert.equal(names[0], 'en_US-fixture-x_low', 'Piper voices come first');
    assert.ok(names.includes('espeak-ng-en-us'));
    const out = path.join(dir, 'piper.wav');
    const r = run(['Hello.', '-o', out, '--voice', 'en_US-fixture-x_low', '--speed', '2']);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(parseWav(readFileSync(out)).format.rate, PIPER_FIXTURE_RATE);
  });

  test('an unknown voice, empty text or a missing output are clear errors with a non-zero exit', (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const unknown = run(['Hi.', '-o', path.join(dir, 'x.wav'), '--voice', 'nope']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr.toString(), /SAT_ERR_TTS_UNKNOWN_VOICE/);
    const empty = run(['  ', '-o', path.join(dir, 'x.wav')]);
    assert.match(empty.stderr.toString(), /SAT_ERR_TTS_EMPTY_TEXT/);
    const noOutput = run(['Hi.']);
    assert.equal(noOutput.status, 2);
    assert.match(noOutput.stderr.toString(), /-o/);
  });

  test('--speed outside 0.25–4, a speaker a single-speaker voice lacks and an unknown voice are refused before speaking, pointing at --list-voices', (t) => {
    if (!need(t, hasEspeak, 'espeak-ng is not installed')) return;
    const out = path.join(dir, 'refused.wav');
    for (const speed of ['10', '0.1', 'fast']) {
      const r = run(['Hi.', '-o', out, '--speed', speed]);
      assert.equal(r.status, 2, `--speed ${speed}: ${r.stderr.toString()}`);
      assert.match(r.stderr.toString(), /--speed must be a number from 0\.25 to 4 .*SAT_ERR_USAGE/);
    }
    const speaker = run(['Hi.', '-o', out, '--voice', 'espeak-ng-en-us', '--speaker', '3']);
    assert.equal(speaker.status, 1);
    assert.match(speaker.stderr.toString(), /voice "espeak-ng-en-us" has no speaker "3"; it has a single speaker; .*speak --list-voices.*SAT_ERR_TTS_UNKNOWN_SPEAKER/);
    const unknown = run(['Hi.', '-o', out, '--voice', 'nope']);
    assert.match(unknown.stderr.toString(), /unknown voice "nope"; `[^`]*speak --list-voices` lists the installed voices/);
    assert.equal(existsSync(out), false, 'nothing written');
  });
});
