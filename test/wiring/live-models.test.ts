/**
 * Models installed by anyone but the daemon — a folder copied in by another process, a
 * `satellite models pull` from another shell — appear in Wyoming `info`, on /v1/models and in the
 * MQTT diagnostics within seconds, with no restart; removing one takes it away everywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { CLI_PATH } from '../helpers/daemon-process.js';
import { hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';
import { Broker, MOSQUITTO, MqttProbe } from '../adapters/mqtt/broker.js';
import { KWS_FOLDER, removeDir, tempDir, writeCatalogue, ZIPFORMER_FILES, zipformerEntry, zipformerUrl } from '../models/fixtures.js';
import { MirrorServer } from '../models/mirror-server.js';

const APPEAR_WITHIN_MS = 15_000;
const POLL_MS = 100;
const PULLED_ID = 'pulled-zipformer';

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + APPEAR_WITHIN_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

describe('models installed from outside the daemon', { concurrency: false }, () => {
  const ready = hasSharedModels() && MOSQUITTO !== null;
  let dir = '';
  let modelsDir = '';
  let daemon: TestDaemon | undefined;
  let broker: Broker | undefined;
  let probe: MqttProbe | undefined;
  let server: MirrorServer | undefined;

  before(async () => {
    if (!ready) return;
    dir = tempDir('live-models');
    modelsDir = path.join(dir, 'models');
    mkdirSync(modelsDir);
    broker = await Broker.start();
    probe = await MqttProbe.connect(broker.url, ['speech-satellite/#']);
    daemon = await startTestDaemon({
      name: 'live',
      models_dir: modelsDir,
      http: { enabled: true, port: 0 },
      mqtt: { url: broker.url, stats_interval_s: 1 },
      tts: { espeak: { enabled: false } },
    });
  });
  after(async () => {
    await daemon?.stop();
    await probe?.client.endAsync(true);
    await broker?.stop();
    await server?.close();
    if (dir) removeDir(dir);
  });

  const asrInInfo = async (): Promise<string[]> => {
    const client = await WyomingTestClient.connect(daemon!.providerPort);
    try {
      client.send('describe', {});
      const info = (await client.waitForType('info')).data;
      return ((info['asr'] as Array<{ models: Array<{ name: string }> }> | undefined) ?? []).flatMap((p) => p.models.map((m) => m.name));
    } finally {
      client.close();
    }
  };
  const asrOverHttp = async (): Promise<string[]> => {
    const res = await fetch(`http://127.0.0.1:${daemon!.context.endpoints.http!.port}/v1/models`);
    return ((await res.json()) as { data: Array<{ id: string; kind: string }> }).data.filter((m) => m.kind === 'asr').map((m) => m.id);
  };
  const installedOverMqtt = (): string[] => {
    const states = probe!.messages.filter((m) => m.topic.endsWith('/state'));
    const last = states.at(-1);
    return last ? ((JSON.parse(last.text) as { stats?: { installed_models?: string[] } }).stats?.installed_models ?? []) : [];
  };
  const seenEverywhere = async (name: string, present: boolean): Promise<void> => {
    const has = (list: string[]) => list.includes(name) === present;
    await until(async () => (has(await asrInInfo()) ? true : undefined), `${name} ${present ? 'in' : 'gone from'} info`);
    await until(async () => (has(await asrOverHttp()) ? true : undefined), `${name} ${present ? 'on' : 'gone from'} /v1/models`);
    await until(async () => (has(installedOverMqtt().map((m) => m.replace(/^asr\//, ''))) ? true : undefined), `${name} in the MQTT diagnostics`);
  };

  test('a model folder copied in by another process appears everywhere, and disappears when removed', async (t) => {
    if (!need(t, ready, 'the shared models and mosquitto are needed')) return;
    assert.deepEqual(await asrInInfo(), []);
    const copy = spawnSync('cp', ['-r', sharedModel(KWS_FOLDER), path.join(modelsDir, 'copied-zipformer')]);
    assert.equal(copy.status, 0);
    await seenEverywhere('copied-zipformer', true);
    rmSync(path.join(modelsDir, 'copied-zipformer'), { recursive: true });
    await seenEverywhere('copied-zipformer', false);
  });

  test('a model pulled by `satellite models pull` in another process appears everywhere', async (t) => {
    if (!need(t, ready, 'the shared models and mosquitto are needed')) return;
    server = await new MirrorServer().start();
    for (const f of ZIPFORMER_FILES) server.route(zipformerUrl('pulled', f), { file: sharedModel(KWS_FOLDER, f) });
    const catalogue = writeCatalogue(dir, [zipformerEntry(PULLED_ID, 'pulled')]);
    const config = path.join(dir, 'cli.json');
    writeFileSync(config, JSON.stringify({ models_dir: modelsDir, state_dir: path.join(dir, 'cli-state'), models: { catalogues: [catalogue], mirrors: server.mirrors(), retries: 1 } }));
    const pulled = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI_PATH, 'models', 'pull', PULLED_ID, '--config', config], { stdio: 'ignore' });
      child.once('close', resolve);
    });
    assert.equal(pulled, 0);
    await seenEverywhere(PULLED_ID, true);
  });

  test('the MQTT rescan command rescans at once and answers ok once it has', async (t) => {
    if (!need(t, ready, 'the shared models and mosquitto are needed')) return;
    const base = 'speech-satellite/live';
    const from = daemon!.logs.length;
    const mark = probe!.mark();
    await probe!.publish(`${base}/command`, JSON.stringify({ command: 'rescan', transaction: 7 }));
    const reply = await probe!.waitFor((m) => m.topic === `${base}/response`, mark, APPEAR_WITHIN_MS, 'the rescan response');
    assert.deepEqual(JSON.parse(reply.text), { command: 'rescan', status: 'ok', transaction: 7 });
    assert.ok(
      daemon!.logs.slice(from).some((l) => l.includes('"reason":"MQTT rescan command"')),
      'the rescan ran for the command',
    );
    const plain = probe!.mark();
    await probe!.publish(`${base}/rescan`, 'PRESS');
    const second = await probe!.waitFor((m) => m.topic === `${base}/response`, plain, APPEAR_WITHIN_MS, 'the second rescan response');
    assert.equal((JSON.parse(second.text) as { status: string }).status, 'ok');
  });
});
