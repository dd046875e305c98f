import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';
import { KWS_FOLDER, modelsMdPins, removeDir, tempDir, writeCatalogue } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

const REVISION = '0123456789abcdef0123456789abcdef01234567';
const ASR_ID = 'streaming-zipformer-test';
const ASR_FILES = [
  'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
  'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  'tokens.txt',
];
const EVENT_WAIT_MS = 10_000;
const POLL_MS = 100;
/** Upper bound for the background pull of ~5 MB from loopback (generous for a slow CI box). */
const PULL_WAIT_MS = 60_000;

function hfUrl(file: string): string {
  return `https://huggingface.co/test/streaming-zipformer/resolve/${REVISION}/${file}`;
}

/** A test preset holding the shared streaming zipformer as per-file Hugging Face downloads pinned to MODELS.md. */
function asrCatalogue(dir: string): string {
  const md = modelsMdPins()[`${KWS_FOLDER}/`]!;
  return writeCatalogue(
    dir,
    [
      {
        id: ASR_ID,
        kind: 'asr',
        backend: 'sherpa-online',
        licence: 'Apache-2.0',
        languages: ['en'],
        downloads: ASR_FILES.map((f) => ({ url: hfUrl(f), path: f, pins: [md[f]], pin_source: 'third-party' })),
      },
    ],
    { 'first-run': { description: 'test', models: [ASR_ID] } },
  );
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

test('first run: the daemon serves at once with no ASR model, says what is missing, and lists the model once the background pull lands', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const server = await new MirrorServer().start();
  const dir = tempDir('first-run');
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  for (const f of ASR_FILES) server.route(hfUrl(f), { file: sharedModel(KWS_FOLDER, f), ...(f.startsWith('encoder') ? { hold } : {}) });
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: { auto_pull: true, preset: 'first-run', catalogues: [asrCatalogue(dir)], mirrors: server.mirrors(), retries: 1, retry_base_ms: 10 },
    });
    const before = await describe(daemon.providerPort);
    assert.deepEqual(asrModelNames(before), [], 'no ASR model before the pull');
    const missing = logLines(daemon).find((l) => /models missing/.test(String(l['msg'])));
    assert.ok(missing, 'the missing models are logged');
    assert.deepEqual(missing['missing'], [ASR_ID]);
    assert.equal(missing['command'], 'satellite models pull --preset first-run');

    release();
    const port = daemon.providerPort;
    const names = await waitUntil(
      async () => {
        const found = asrModelNames(await describe(port));
        return found.length ? found : undefined;
      },
      PULL_WAIT_MS,
      'the ASR model to appear in info',
    );
    assert.ok(names.some((n) => n.includes('streaming-zipformer-test')), `info lists the pulled model (got ${names.join(', ')})`);
    assert.ok(logLines(daemon).some((l) => l['msg'] === 'model installed' && l['model'] === ASR_ID));
  } finally {
    release();
    await daemon?.stop();
    await server.close();
    removeDir(dir);
  }
});

test('first run with no network says so once and keeps serving', async () => {
  // a port nobody listens on: every download is refused at connect
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const dir = tempDir('offline');
  const dead = `http://127.0.0.1:${port}/`;
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: {
        auto_pull: true,
        mirrors: { 'https://github.com/': dead, 'https://huggingface.co/': dead, 'https://raw.githubusercontent.com/': dead },
        retries: 0,
      },
    });
    const d = daemon;
    await waitUntil(() => (logLines(d).some((l) => /no network/.test(String(l['msg']))) ? true : undefined), EVENT_WAIT_MS, 'the no-network notice');
    const info = await describe(d.providerPort);
    assert.deepEqual(asrModelNames(info), [], 'still serving, with no ASR model');
    assert.equal(logLines(d).filter((l) => /no network/.test(String(l['msg']))).length, 1, 'said once');
    assert.ok(!logLines(d).some((l) => l['msg'] === 'model installed'));
  } finally {
    await daemon?.stop();
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
    assert.equal(missing?.['command'], 'satellite models pull --preset small');
    assert.ok((missing?.['missing'] as string[]).includes('whisper-base.en-int8'));
    await describe(daemon.providerPort);
    assert.equal(server.requests.length, 0);
  } finally {
    await daemon?.stop();
    await server.close();
    removeDir(dir);
  }
});
