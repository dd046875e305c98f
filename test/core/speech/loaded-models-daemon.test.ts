/**
 * Loaded models through the real daemon: nothing is loaded before the first request, a Wyoming
 * transcribe loads the recogniser (and the VAD that ends speech), the idle unload releases them,
 * and the HTTP /metrics and the MQTT state document agree on every figure along the way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestDaemon } from '../../helpers/daemon.js';
import { need, sharedModel } from '../../helpers/system.js';
import { ZIPFORMER, clipAs, hasSilero, hasZipformer } from '../../helpers/stt-fixtures.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { wer } from '../../helpers/wer.js';
import { Broker, MOSQUITTO, MqttProbe } from '../../adapters/mqtt/broker.js';

/** Short enough for a fast test, long enough that a lease released by a request outlives the checks. */
const IDLE_UNLOAD_S = 2;
const UNLOAD_WAIT_MS = 20_000;
const POLL_MS = 100;
const TRANSCRIPT_TIMEOUT_MS = 30_000;
const CLIP = 'librispeech-1089-134691-0000.wav';
const REFERENCE = 'HE COULD WAIT NO LONGER';
const WER_LIMIT = 0.5;
const NAME = 'Loaded Models Test';
const STATE_TOPIC = 'speech-satellite/loaded-models-test/state';

interface Figures {
  installed: string[];
  loaded: string[];
  count: number;
  asrRequests: number;
}

/** The model figures of a Prometheus /metrics page, as `kind/name`. */
async function metricsFigures(url: string): Promise<Figures> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const installed: string[] = [];
  const loaded: string[] = [];
  let count = Number.NaN;
  let asrRequests = 0;
  for (const line of text.split('\n')) {
    const m = /^satellite_model_(installed|loaded)\{kind="(\w+)",model="([^"]+)"\} (\d+)$/.exec(line);
    if (m?.[1] === 'installed') installed.push(`${m[2]}/${m[3]}`);
    if (m?.[1] === 'loaded' && m[4] === '1') loaded.push(`${m[2]}/${m[3]}`);
    const total = /^satellite_models_loaded (\d+)$/.exec(line);
    if (total) count = Number(total[1]);
    const requests = /^satellite_service_requests_total\{service="asr"\} (\d+)$/.exec(line);
    if (requests) asrRequests = Number(requests[1]);
  }
  return { installed: installed.sort(), loaded: loaded.sort(), count, asrRequests };
}

interface StateStats {
  requests: number;
  loaded_models: string[];
  installed_models: string[];
}

async function nextState(probe: MqttProbe, from: number, predicate: (doc: { stats: StateStats; provider: { transcript: { text: string } | null } }) => boolean, what: string) {
  const seen = await probe.waitFor((m) => m.topic === STATE_TOPIC && predicate(JSON.parse(m.text)), from, undefined, what);
  return JSON.parse(seen.text) as { stats: StateStats };
}

function assertSameFigures(stats: StateStats, figures: Figures): void {
  assert.deepEqual([...stats.installed_models].sort(), figures.installed, 'MQTT and /metrics list the same installed models');
  assert.deepEqual([...stats.loaded_models].sort(), figures.loaded, 'MQTT and /metrics list the same loaded models');
  assert.equal(stats.loaded_models.length, figures.count, 'the loaded-model count is the same');
}

test('loaded models are 0 before a request, ≥ 1 after a Wyoming transcribe and 0 after the idle unload, alike in /metrics and MQTT', async (t) => {
  if (!need(t, MOSQUITTO !== null, 'mosquitto is not installed')) return;
  if (!need(t, hasZipformer() && hasSilero(), 'shared zipformer or Silero VAD model missing')) return;
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'loaded-models-'));
  for (const dir of [ZIPFORMER, 'silero-vad']) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
  const broker = await Broker.start();
  t.after(() => broker.stop());
  const daemon = await startTestDaemon({
    name: NAME,
    models_dir: modelsDir,
    engine: { idle_unload_s: IDLE_UNLOAD_S },
    // VAD ends speech, so a transcribe loads two models of two kinds.
    stt: { default_model: ZIPFORMER, endpoint_on_silence: true },
    // espeak-ng counts as loaded whenever installed; leave it out so the start figure is 0.
    tts: { espeak: { enabled: false } },
    http: { enabled: true, port: 0 },
    mqtt: { url: broker.url, stats_interval_s: 1, reconnect: { min_s: 0.2, max_s: 1 } },
  });
  t.after(() => daemon.stop());
  const url = `http://127.0.0.1:${daemon.context.endpoints.http!.port}`;
  const probe = await MqttProbe.connect(broker.url, [STATE_TOPIC]);
  t.after(() => probe.close());

  // Before any request: installed, none loaded.
  const before = await metricsFigures(url);
  assert.ok(before.installed.includes(`asr/${ZIPFORMER}`), `installed: ${before.installed.join(', ')}`);
  assert.ok(before.installed.some((m) => m.startsWith('vad/')), `installed: ${before.installed.join(', ')}`);
  assert.deepEqual(before.loaded, []);
  assert.equal(before.count, 0);
  assertSameFigures((await nextState(probe, 0, () => true, 'a state document')).stats, before);

  // A Wyoming transcribe loads the recogniser and the VAD.
  const mark = probe.mark();
  const client = await WyomingTestClient.connect(daemon.providerPort);
  t.after(() => client.close());
  const { pcm, format } = clipAs(CLIP, 16_000, 1);
  client.send('transcribe', { language: 'en' });
  sendAudio(client, pcm, format);
  const text = String((await client.waitForType('transcript', TRANSCRIPT_TIMEOUT_MS)).data['text']);
  assert.ok(wer(REFERENCE, text) <= WER_LIMIT, `transcript "${text}"`);
  const during = await metricsFigures(url);
  assert.ok(during.count >= 1, `loaded after a transcribe: ${during.count}`);
  assert.ok(during.loaded.includes(`asr/${ZIPFORMER}`), `loaded: ${during.loaded.join(', ')}`);
  assert.ok(during.loaded.some((m) => m.startsWith('vad/')), `loaded: ${during.loaded.join(', ')}`);
  // The document published for this transcript was built while the models were still held.
  const withTranscript = await nextState(probe, mark, (doc) => doc.provider.transcript?.text === text, 'the state with this transcript');
  assertSameFigures(withTranscript.stats, during);
  const heldMark = probe.mark();

  // Idle for idle_unload_s: both are released.
  const deadline = Date.now() + UNLOAD_WAIT_MS;
  let after = await metricsFigures(url);
  while (after.count !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    after = await metricsFigures(url);
  }
  assert.equal(after.count, 0, `still loaded: ${after.loaded.join(', ')}`);
  assert.deepEqual(after.installed, before.installed);
  assert.equal(after.asrRequests, 1);
  const released = await nextState(probe, heldMark, (doc) => doc.stats.loaded_models.length === 0, 'a state with no loaded models');
  assertSameFigures(released.stats, after);
  assert.equal(released.stats.requests, 1, 'MQTT counts the same one request');
});
