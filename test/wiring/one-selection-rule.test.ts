/**
 * One selection rule per kind: for the same request (a name, an alias, a language, nothing), the
 * Wyoming provider, the HTTP shim and the command line pick the same speech-to-text model and the
 * same voice — read from what each surface reports it used.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { CLI_PATH } from '../helpers/daemon-process.js';
import { hasCommand, need, sharedModel } from '../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../helpers/wyoming-client.js';
import { clipAs } from '../helpers/stt-fixtures.js';
import { postForm } from '../adapters/http/shim-harness.js';

const EN = 'kws-zipformer-gigaspeech-3.3M-mobile';
const ZH = 'kws-zipformer-wenetspeech-3.3M-mobile';
const CLIP = sharedModel('test-wavs', 'piper-this-is-a-test.wav');
const ready = hasCommand('espeak-ng');

interface AsrRow {
  label: string;
  name?: string;
  language?: string;
  expect: string;
}

interface VoiceRow {
  label: string;
  name?: string;
  language?: string;
  expect: string;
}

const ASR_ROWS: AsrRow[] = [
  { label: 'a name', name: ZH, expect: ZH },
  { label: 'an alias (any letter case)', name: EN.toUpperCase(), expect: EN },
  { label: 'a language', language: 'zh', expect: ZH },
  { label: 'nothing: the preference order', expect: EN },
];

const VOICE_ROWS: VoiceRow[] = [
  { label: 'a name', name: 'espeak-ng-de', expect: 'espeak-ng-de' },
  { label: 'an alias (any letter case)', name: 'ESPEAK-NG-DE', expect: 'espeak-ng-de' },
  { label: 'a language', language: 'de', expect: 'espeak-ng-de' },
  { label: 'nothing: the preferred voice', expect: 'espeak-ng-en-us' },
];

function logged(daemon: TestDaemon, msg: string, from: number): Array<Record<string, unknown>> {
  return daemon.logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === msg);
}

describe('every surface picks with the same rule', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;
  let configFile = '';
  let http = '';

  before(async () => {
    if (!ready) return;
    const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'one-rule-'));
    for (const dir of [EN, ZH]) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
    const config = { models_dir: modelsDir, tts: { espeak: { voices: ['en-us', 'de'] } }, wake: { discover: false } };
    daemon = await startTestDaemon({ ...config, http: { enabled: true, port: 0 } });
    http = `http://127.0.0.1:${daemon.context.endpoints.http!.port}`;
    configFile = path.join(modelsDir, '..', `${path.basename(modelsDir)}.yml`);
    writeFileSync(configFile, stringify({ ...config, state_dir: mkdtempSync(path.join(os.tmpdir(), 'one-rule-state-')), mdns: { enabled: false }, models: { auto_pull: false } }));
  });
  after(async () => daemon?.stop());

  const cli = (args: string[]) => spawnSync(process.execPath, [CLI_PATH, ...args, '--config', configFile], { encoding: 'utf8' });

  for (const row of ASR_ROWS) {
    test(`speech-to-text for ${row.label}`, async (t) => {
      if (!need(t, ready, 'espeak-ng is not installed')) return;
      // Wyoming: the model the provider logged for the request
      const from = daemon!.logs.length;
      const client = await WyomingTestClient.connect(daemon!.providerPort);
      client.send('transcribe', { ...(row.name ? { name: row.name } : {}), ...(row.language ? { language: row.language } : {}) });
      sendAudio(client, clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm, { rate: 16_000, width: 2, channels: 1 });
      await client.waitForType('transcript', 30_000);
      client.close();
      const wyoming = logged(daemon!, 'transcribed', from)[0]?.['model'];
      // HTTP: the X-Model header
      const fields: Record<string, string> = { model: row.name ?? 'whisper-1', ...(row.language ? { language: row.language } : {}) };
      const res = await postForm(`${http}/v1/audio/transcriptions`, fields, { name: 'a.wav', data: readFileSync(CLIP) });
      assert.equal(res.status, 200, await res.clone().text());
      const viaHttp = res.headers.get('x-model');
      // CLI: transcribe --json names the model
      const out = cli(['transcribe', CLIP, '--json', ...(row.name ? ['--model', row.name] : []), ...(row.language ? ['--language', row.language] : [])]);
      assert.equal(out.status, 0, out.stderr);
      const viaCli = (JSON.parse(out.stdout) as { model: string }).model;
      assert.deepEqual({ wyoming, http: viaHttp, cli: viaCli }, { wyoming: row.expect, http: row.expect, cli: row.expect });
    });
  }

  for (const row of VOICE_ROWS) {
    test(`a voice for ${row.label}`, async (t) => {
      if (!need(t, ready, 'espeak-ng is not installed')) return;
      const from = daemon!.logs.length;
      const client = await WyomingTestClient.connect(daemon!.providerPort);
      const voice = { ...(row.name ? { name: row.name } : {}), ...(row.language ? { language: row.language } : {}) };
      client.send('synthesize', { text: 'One selection rule.', ...(row.name || row.language ? { voice } : {}) });
      await client.waitForType('audio-stop', 30_000);
      client.close();
      const wyoming = logged(daemon!, 'tts request finished', from)[0]?.['voice'];
      const got: Record<string, unknown> = { wyoming };
      // OpenAI's speech request and `satellite speak` have no language field: those rows ask by name or nothing.
      if (!row.language) {
        const res = await fetch(`${http}/v1/audio/speech`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ model: 'tts-1', input: 'One selection rule.', voice: row.name ?? 'alloy', response_format: 'wav' }),
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        got['http'] = res.headers.get('x-voice');
        const out = cli(['speak', 'One selection rule.', '-o', path.join(os.tmpdir(), `one-rule-${process.pid}.wav`), ...(row.name ? ['--voice', row.name] : [])]);
        assert.equal(out.status, 0, out.stderr);
        got['cli'] = /with voice (\S+)/.exec(out.stderr)?.[1];
      }
      assert.deepEqual(got, Object.fromEntries(Object.keys(got).map((k) => [k, row.expect])));
    });
  }
});
