import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';
import { KWS_FOLDER, removeDir, tempDir, writeCatalogue, ZIPFORMER_FILES, zipformerEntry, zipformerUrl } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

const ASR_ID = 'streaming-zipformer-test';
const REPO = 'streaming-zipformer';
const EVENT_WAIT_MS = 10_000;
const POLL_MS = 100;
/** Upper bound for the background pull of ~5 MB from loopback (generous for a slow CI box). */
const PULL_WAIT_MS = 60_000;

/** A test preset holding the shared streaming zipformer as per-file Hugging Face downloads pinned to MODELS.md. */
function asrCatalogue(dir: string): string {
  return writeCatalogue(dir, [zipformerEntry(ASR_ID, REPO)], { 'first-run': { description: 'test', models: [ASR_ID] } });
}

async function describe(port: number): Promise<Record<string, unknown>> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('describe', {});
    return (await client.waitForType('info', EVENT_WAIT_MS)).data;
  } finally {
    client.close();
  }
}

function asrModelNames(info: Record<string, unknown>): string[] {
  const programs = (info['asr'] as Array<{ models?: Array<{ name: string }> }> | undefined) ?? [];
  return programs.flatMap((p) => (p.models ?? []).map((m) => m.name));
}

async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function logLines(daemon: TestDaemon): Array<Record<string, unknown>> {
  return daemon.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The hint names a command that works from here: the bin on PATH, npx in the project folder, or node with the CLI's path. */
const PULL_COMMAND = (args: string) => new RegExp(`^(satellite|npx satellite|node \\S+cli\\.js) models pull ${args}$`);

/** The daemon's JSON lines carry the level's name. */
const LOUD = new Set(['warn', 'error', 'fatal']);

/** Warnings and errors carrying an error object (a stack) in the log. */
function stacks(daemon: TestDaemon): Array<Record<string, unknown>> {
  return logLines(daemon).filter((l) => LOUD.has(String(l['level'])) && l['err'] !== undefined);
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function noNetworkWarnings(daemon: TestDaemon): Array<Record<string, unknown>> {
  return logLines(daemon).filter((l) => l['level'] === 'warn' && /no network/.test(String(l['msg'])));
}

test('first run: the daemon serves at once, says what is missing, offers the model being pulled under its final name, and serves it once it lands', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const server = await new MirrorServer().start();
  const dir = tempDir('first-run');
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  for (const f of ZIPFORMER_FILES) server.route(zipformerUrl(REPO, f), { file: sharedModel(KWS_FOLDER, f), ...(f.startsWith('encoder') ? { hold } : {}) });
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: { auto_pull: true, preset: 'first-run', catalogues: [asrCatalogue(dir)], mirrors: server.mirrors(), retries: 1, retry_base_ms: 10 },
    });
    const before = await describe(daemon.providerPort);
    // Listed from the start under the name it will have, so Home Assistant sets up STT at once.
    assert.deepEqual(asrModelNames(before), [ASR_ID], 'the model being downloaded is offered');
    const early = await WyomingTestClient.connect(daemon.providerPort);
    early.send('transcribe', {});
    early.send('audio-start', { rate: 16000, width: 2, channels: 1, timestamp: null });
    assert.equal((await early.waitForType('error', EVENT_WAIT_MS)).data['code'], 'SAT_ERR_MODEL_PENDING', 'asking before it lands is a clear "still downloading"');
    early.close();
    const missing = logLines(daemon).find((l) => /models missing/.test(String(l['msg'])));
    assert.ok(missing, 'the missing models are logged');
    assert.deepEqual(missing['missing'], [ASR_ID]);
    assert.match(String(missing['command']), PULL_COMMAND('--preset first-run'));

    release();
    const d = daemon;
    await waitUntil(() => (d.context.speech.asrModels().some((m) => m.name === ASR_ID) ? true : undefined), PULL_WAIT_MS, 'the ASR model to be installed');
    const names = asrModelNames(await describe(d.providerPort));
    assert.deepEqual(names, [ASR_ID], 'the same name once installed');
    assert.ok(logLines(d).some((l) => l['msg'] === 'model installed' && l['model'] === ASR_ID));
  } finally {
    release();
    await daemon?.stop();
    await server.close();
    removeDir(dir);
  }
});

test('first run with no network says so once, keeps serving and keeps the models it waits for listed while it retries', async () => {
  // a port nobody listens on: every download is refused at connect
  const dead = `http://127.0.0.1:${await freePort()}/`;
  const dir = tempDir('offline');
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: {
        auto_pull: true,
        mirrors: { 'https://github.com/': dead, 'https://huggingface.co/': dead, 'https://raw.githubusercontent.com/': dead },
        retries: 0,
        retry_base_ms: 0,
      },
    });
    const d = daemon;
    await waitUntil(() => (logLines(d).filter((l) => l['msg'] === 'retrying model downloads').length >= 3 ? true : undefined), PULL_WAIT_MS, 'three retry rounds');
    const info = await describe(d.providerPort);
    assert.ok(asrModelNames(info).length > 0, 'the speech-to-text models being waited for stay listed, so Home Assistant keeps its entities');
    const early = await WyomingTestClient.connect(d.providerPort);
    early.send('transcribe', {});
    early.send('audio-start', { rate: 16000, width: 2, channels: 1, timestamp: null });
    assert.equal((await early.waitForType('error', EVENT_WAIT_MS)).data['code'], 'SAT_ERR_MODEL_PENDING');
    early.close();
    assert.equal(noNetworkWarnings(d).length, 1, 'said once for the whole outage');
    assert.deepEqual(stacks(d), [], 'no stacks');
    assert.ok(!logLines(d).some((l) => l['msg'] === 'model installed'));
  } finally {
    await daemon?.stop();
    removeDir(dir);
  }
});

test('a first run before the network is up gets its model once the mirror answers, without a restart', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const port = await freePort();
  const server = new MirrorServer();
  for (const f of ZIPFORMER_FILES) server.route(zipformerUrl(REPO, f), { file: sharedModel(KWS_FOLDER, f) });
  const dir = tempDir('network-back');
  const mirrors = server.mirrors(); // not listening yet: every connection is refused
  for (const key of Object.keys(mirrors)) mirrors[key] = mirrors[key]!.replace(':0/', `:${port}/`);
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: { auto_pull: true, preset: 'first-run', catalogues: [asrCatalogue(dir)], mirrors, retries: 0, retry_base_ms: 0 },
    });
    const d = daemon;
    await waitUntil(() => (logLines(d).filter((l) => l['msg'] === 'retrying model downloads').length >= 2 ? true : undefined), PULL_WAIT_MS, 'two retry rounds');
    assert.deepEqual(asrModelNames(await describe(d.providerPort)), [ASR_ID], 'still offered while waiting for the network');
    await server.start(port); // the network is back
    await waitUntil(() => (d.context.speech.asrModels().some((m) => m.name === ASR_ID) ? true : undefined), PULL_WAIT_MS, 'the ASR model to be installed');
    assert.deepEqual(asrModelNames(await describe(d.providerPort)), [ASR_ID]);
    assert.equal(noNetworkWarnings(d).length, 1, 'one warning for the outage');
    assert.deepEqual(stacks(d), [], 'no stacks');
    await waitUntil(() => (logLines(d).some((l) => l['msg'] === 'all missing models installed') ? true : undefined), EVENT_WAIT_MS, 'the end of the pull');
    assert.ok(logLines(d).some((l) => l['msg'] === 'model downloads go through again'));
  } finally {
    await daemon?.stop();
    await server.close().catch(() => undefined);
    removeDir(dir);
  }
});

test('with models.offline the daemon only reports what is missing and downloads nothing', async () => {
  const server = await new MirrorServer().start();
  const dir = tempDir('offline-setting');
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: { auto_pull: true, offline: true, preset: 'small', mirrors: server.mirrors() },
    });
    const missing = logLines(daemon).find((l) => /models missing/.test(String(l['msg'])));
    assert.match(String(missing?.['command']), PULL_COMMAND('--preset small'));
    assert.ok((missing?.['missing'] as string[]).includes('whisper-base.en-int8'));
    await describe(daemon.providerPort);
    assert.equal(server.requests.length, 0);
  } finally {
    await daemon?.stop();
    await server.close();
    removeDir(dir);
  }
});

test('a VAD installed under another folder name is not reported missing, and would not be pulled again', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const dir = tempDir('vad-elsewhere');
  const modelsDir = path.join(dir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  symlinkSync(sharedModel('silero-vad'), path.join(modelsDir, 'my-own-vad'));
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({ models_dir: modelsDir, models: { auto_pull: false, offline: true, preset: 'small' } });
    assert.ok(daemon.context.speech.vad, 'the VAD is installed and used');
    const missing = logLines(daemon).find((l) => /models missing/.test(String(l['msg'])));
    assert.ok(missing, 'the rest of the preset is still reported');
    assert.ok(!(missing['missing'] as string[]).some((id) => id.startsWith('silero-vad')), `reported: ${String(missing['missing'])}`);
  } finally {
    await daemon?.stop();
    removeDir(dir);
  }
});
