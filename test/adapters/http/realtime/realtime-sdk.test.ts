/**
 * The official SDKs' Realtime clients, unmodified, against /v1/realtime on the shim's TLS listener:
 * the `openai` npm package's OpenAIRealtimeWS (in a child process started with NODE_EXTRA_CA_CERTS
 * naming the test certificate) and the Python `openai` package's `client.realtime.connect()` (from
 * the peers virtualenv, trusting the certificate through SSL_CERT_FILE). Each streams a speech clip
 * at real-time pace with server VAD and must get speech_started, speech_stopped and a transcript
 * with the speech service's WER on the same clip, then has a sentence spoken that transcribes back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcmToFloatMono } from '../../../../src/audio/pcm.js';
import { referencePython, referencePythonReason, peerScript } from '../../../helpers/python-peers.js';
import { recognize } from '../../../helpers/recognize.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { wer } from '../../../helpers/wer.js';
import { haveEspeak, haveModels } from '../http-daemon.js';
import { API_KEY, clipPcm24, RATE, startRealtimeDaemon, type RealtimeDaemon } from './realtime-harness.js';

const CLIP = 'librispeech-1089-134691-0001.wav';
const CLIP_REFERENCE = 'FOR A FULL HOUR HE HAD PACED UP AND DOWN WAITING BUT HE COULD WAIT NO LONGER';
const SENTENCE = 'please turn on the kitchen light and set a timer for ten minutes';
const TTS_WER_LIMIT = 0.8;
/** The transcript of a VAD-cut segment may differ from the whole clip's by a word at the edges. */
const WER_SLACK = 0.1;
const CHILD_TIMEOUT_MS = 120_000;
const NODE_CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node-sdk-client.js');

interface SdkResult {
  url: string;
  sessionType: string;
  speechStartedMs: number;
  speechStoppedMs: number;
  transcript: string;
  responseStatus: string;
  audioBytes: number;
  events: string[];
  errors: unknown[];
}

function runClient(command: string, args: string[], env: Record<string, string>): Promise<SdkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) return reject(new Error(`client exited ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(line) as SdkResult);
    });
  });
}

describe('official SDK Realtime clients over wss://', { concurrency: false }, () => {
  let rt: RealtimeDaemon | undefined;
  let baseline = '';
  const out = mkdtempSync(path.join(os.tmpdir(), 'rt-sdk-'));

  before(async () => {
    if (!haveModels || !haveEspeak) return;
    rt = await startRealtimeDaemon();
    const { session } = await rt.daemon.context.speech.openTranscription({});
    const pcm = clipPcm24(CLIP);
    for (let at = 0; at < pcm.length; at += 4800) await session.push(pcm.subarray(at, at + 4800), { rate: RATE, width: 2, channels: 1 });
    baseline = (await session.finish()).text;
  });
  after(async () => rt?.daemon.stop());

  async function check(t: { diagnostic(m: string): void }, result: SdkResult, audioFile: string): Promise<void> {
    t.diagnostic(`transcript: ${result.transcript} | service: ${baseline}`);
    assert.deepEqual(result.errors, []);
    assert.equal(result.sessionType, 'realtime');
    assert.ok(result.speechStartedMs >= 0 && result.speechStoppedMs > result.speechStartedMs + 3000, JSON.stringify(result));
    assert.ok(wer(CLIP_REFERENCE, result.transcript) <= wer(CLIP_REFERENCE, baseline) + WER_SLACK, result.transcript);
    assert.equal(result.responseStatus, 'completed');
    const audio = readFileSync(audioFile);
    assert.equal(audio.length, result.audioBytes);
    const heard = await recognize(pcmToFloatMono(audio, { rate: RATE, width: 2, channels: 1 }), RATE);
    t.diagnostic(`spoken response heard as: ${heard}`);
    assert.ok(wer(SENTENCE, heard) <= TTS_WER_LIMIT, heard);
  }

  test('the openai npm SDK (OpenAIRealtimeWS) transcribes a clip and speaks a sentence', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const audioFile = path.join(out, 'node.pcm');
    const result = await runClient(process.execPath, [NODE_CLIENT, `${rt!.httpsUrl}/v1`, API_KEY, CLIP, SENTENCE, audioFile], { NODE_EXTRA_CA_CERTS: rt!.caFile });
    assert.match(result.url, /^wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime\?model=gpt-realtime$/);
    await check(t, result, audioFile);
  });

  test('the Python openai SDK (client.realtime.connect) transcribes a clip and speaks a sentence', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const python = referencePython();
    if (!need(t, python !== undefined, referencePythonReason())) return;
    const audioFile = path.join(out, 'python.pcm');
    const clip = sharedModel('test-wavs', CLIP);
    const result = await runClient(python!, ['-u', peerScript('openai-realtime-client.py'), `${rt!.httpsUrl}/v1`, API_KEY, clip, SENTENCE, audioFile], { SSL_CERT_FILE: rt!.caFile });
    await check(t, result, audioFile);
  });
});
