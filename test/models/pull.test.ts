import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinCataloguePath, loadCatalogue, readCatalogueFile, type Catalogue } from '../../src/models/catalogue.js';
import { sha256File } from '../../src/models/hash.js';
import { readLock } from '../../src/models/lock-file.js';
import { ModelManager, type ModelManagerOptions } from '../../src/models/manager.js';
import { hasCommand, hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { buildTarBz2, buildZip, captureLogger, KWS_FOLDER, KWS_ZH_FOLDER, modelsMdPins, removeDir, SHARED_BYTES, tempDir, writeCatalogue } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

const KWS_TOP = 'sherpa-onnx-kws-zipformer-gigaspeech-3.3M-2024-01-01-mobile';
const KWS_URL = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/kws-models/test-kws-mobile.tar.bz2';
const ZIP_URL = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/kws-models/test-kws-zh.zip';

interface Rig {
  server: MirrorServer;
  dir: string;
  modelsDir: string;
  catalogue: Catalogue;
  manager: (extra?: Partial<ModelManagerOptions>) => ModelManager;
  close: () => Promise<void>;
}

/** A loopback mirror serving the shared files under the catalogue's own URLs, plus test archives. */
async function rig(extra: unknown[] | ((server: MirrorServer, dir: string) => Promise<unknown[]>) = []): Promise<Rig> {
  const server = await new MirrorServer().start();
  const dir = tempDir('pull');
  const extraModels = typeof extra === 'function' ? await extra(server, dir) : extra;
  const builtin = readCatalogueFile(builtinCataloguePath());
  for (const [id, rel] of Object.entries(SHARED_BYTES)) {
    const entry = builtin.models.find((e) => e.id === id)!;
    server.route(entry.downloads[0]!.url, { file: sharedModel(rel) });
  }
  const catalogueFile = writeCatalogue(dir, extraModels);
  const catalogue = loadCatalogue([catalogueFile]);
  const modelsDir = path.join(dir, 'models');
  return {
    server,
    dir,
    modelsDir,
    catalogue,
    manager: (extra = {}) =>
      new ModelManager({ modelsDir, catalogue, mirrors: server.mirrors(), log: captureLogger().log, retries: 2, retryBaseMs: 1, timeoutMs: 5000, env: {}, ...extra }),
    close: async () => {
      await server.close();
      removeDir(dir);
    },
  };
}

/** A test archive entry for the shared English keyword spotter, with MODELS.md pins for its members. */
async function kwsArchiveEntry(server: MirrorServer, outDir: string): Promise<unknown> {
  const archive = buildTarBz2(KWS_FOLDER, KWS_TOP, outDir);
  server.route(KWS_URL, { file: archive });
  const pin = await sha256File(archive);
  const md = modelsMdPins()[`${KWS_FOLDER}/`]!;
  const members = Object.fromEntries(
    ['encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx', 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'tokens.txt'].map((f) => [f, md[f]!]),
  );
  return {
    id: 'test-kws',
    kind: 'wake',
    backend: 'sherpa-kws',
    licence: 'Apache-2.0',
    downloads: [{ url: KWS_URL, archive: 'tar.bz2', pins: [pin], pin_source: 'third-party', exclude: ['README.md'], files: members }],
  };
}

function leftovers(modelsDir: string): string[] {
  const work = path.join(modelsDir, '.satellite');
  const partial = existsSync(path.join(work, 'partial')) ? readdirSync(path.join(work, 'partial')) : [];
  const staging = existsSync(work) ? readdirSync(work).filter((n) => n.startsWith('staging-') || n.startsWith('trash-')) : [];
  return [...partial, ...staging];
}

test('pull installs Silero, openWakeWord and the keyword spotter from a loopback mirror, and the installed bytes match the pins', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present') || !need(t, hasCommand('bzip2'), 'bzip2 not installed')) return;
  const r = await rig(async (server, dir) => [await kwsArchiveEntry(server, dir)]);
  try {
    const installed: string[] = [];
    const manager = r.manager({ onInstalled: (e) => installed.push(e.id) });
    const reports = await manager.pull(manager.plan(['silero-vad-v6', 'silero-vad-v5', 'oww-hey-jarvis', 'oww-alexa', 'test-kws']));
    assert.deepEqual(
      reports.map((x) => [x.id, x.outcome, x.error?.message]),
      ['silero-vad-v6', 'silero-vad-v5', 'oww-melspectrogram', 'oww-embedding', 'oww-hey-jarvis', 'oww-alexa', 'test-kws'].map((id) => [id, 'installed', undefined]),
    );
    assert.equal(installed.length, 7);
    const expectFile = async (rel: string, id: string) => {
      const got = await sha256File(path.join(r.modelsDir, rel));
      assert.ok(r.catalogue.get(id).downloads[0]!.pins.some((p) => p.sha256 === got.sha256 && p.size === got.size), `${rel} matches the pin of ${id}`);
    };
    await expectFile('silero-vad-v6/silero_vad.onnx', 'silero-vad-v6');
    await expectFile('silero-vad-v5/silero_vad.onnx', 'silero-vad-v5');
    for (const [id, file] of [
      ['oww-melspectrogram', 'melspectrogram.onnx'],
      ['oww-embedding', 'embedding_model.onnx'],
      ['oww-hey-jarvis', 'hey_jarvis_v0.1.onnx'],
      ['oww-alexa', 'alexa_v0.1.onnx'],
    ] as const) {
      await expectFile(`openwakeword/${file}`, id);
    }
    // archive: top folder stripped, excluded member gone, members as in MODELS.md
    const kws = readdirSync(path.join(r.modelsDir, 'test-kws')).sort();
    assert.ok(kws.includes('encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx') && kws.includes('keywords.txt'));
    assert.ok(!kws.includes('README.md'));
    const lock = await readLock(r.modelsDir);
    assert.equal(lock.models['silero-vad-v6']?.trust, 'pinned');
    assert.equal(lock.models['silero-vad-v6']?.pinSource, 'git-blob');
    assert.equal(lock.models['oww-alexa']?.folder, 'openwakeword');
    assert.deepEqual(Object.keys(lock.models['oww-alexa']!.files), ['alexa_v0.1.onnx']);
    const md = modelsMdPins()[`${KWS_FOLDER}/`]!;
    assert.equal(lock.models['test-kws']?.files['tokens.txt']?.sha256, md['tokens.txt']!.sha256);
    assert.equal(lock.models['test-kws']?.files['keywords.txt']?.sha256, md['keywords.txt']!.sha256);
    assert.deepEqual(leftovers(r.modelsDir), []);
    // a second pull finds everything installed and downloads nothing
    const before = r.server.requests.length;
    const again = await manager.pull(manager.plan(['oww-alexa', 'test-kws']));
    assert.deepEqual(again.map((x) => x.outcome), ['present', 'present', 'present', 'present']);
    assert.equal(r.server.requests.length, before);
    assert.deepEqual((await manager.verify()).filter((v) => v.problems.length), []);
  } finally {
    await r.close();
  }
});

test('a flipped byte is a hash mismatch: nothing is installed and no temporary file is left', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const url = r.catalogue.get('silero-vad-v6').downloads[0]!.url;
    r.server.route(url, { file: sharedModel(SHARED_BYTES['silero-vad-v6']!), flipByte: true });
    const [report] = await r.manager().pull(r.manager().plan(['silero-vad-v6']));
    assert.equal(report?.outcome, 'failed');
    assert.equal((report?.error as { code?: string }).code, 'SAT_ERR_MODEL_HASH_MISMATCH');
    assert.match(report!.error!.message, /upstream changed/);
    assert.match(report!.error!.message, /1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3/);
    assert.equal(existsSync(path.join(r.modelsDir, 'silero-vad-v6')), false);
    assert.deepEqual((await readLock(r.modelsDir)).models, {});
    assert.deepEqual(leftovers(r.modelsDir), []);
    assert.equal(r.server.requestsFor(url).length, 1, 'a hash mismatch is not retried');
  } finally {
    await r.close();
  }
});

test('a connection dropped halfway is resumed with a Range request and the result verifies', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const url = r.catalogue.get('oww-embedding').downloads[0]!.url;
    const half = 600_000;
    r.server.route(url, { file: sharedModel(SHARED_BYTES['oww-embedding']!), dropAfterBytes: half });
    const [report] = await r.manager().pull([r.catalogue.get('oww-embedding')]);
    assert.equal(report?.outcome, 'installed', report?.error?.message);
    const requests = r.server.requestsFor(url);
    assert.equal(requests.length, 2);
    assert.equal(requests[0]!.range, undefined);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1]!.range ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= half, `resumed at ${resumedAt}`);
    assert.deepEqual(await r.manager().verify(['oww-embedding']), [{ id: 'oww-embedding', problems: [] }]);
  } finally {
    await r.close();
  }
});

test('a server that ignores Range gets the whole file again and the result still verifies', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const url = r.catalogue.get('oww-hey-rhasspy').downloads[0]!.url;
    r.server.route(url, { file: sharedModel(SHARED_BYTES['oww-hey-rhasspy']!), dropAfterBytes: 50_000, noRange: true });
    const reports = await r.manager().pull([r.catalogue.get('oww-hey-rhasspy')]);
    assert.equal(reports[0]?.outcome, 'installed', reports[0]?.error?.message);
    assert.deepEqual(await r.manager().verify(['oww-hey-rhasspy']), [{ id: 'oww-hey-rhasspy', problems: [] }]);
  } finally {
    await r.close();
  }
});

test('404 fails at once and 500 fails after the retries, each with a clear coded error', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const missingUrl = r.catalogue.get('silero-vad-v5').downloads[0]!.url;
    r.server.routes.delete(r.server.pathFor(missingUrl));
    const [notFound] = await r.manager().pull([r.catalogue.get('silero-vad-v5')]);
    assert.equal((notFound?.error as { code?: string }).code, 'SAT_ERR_MODEL_DOWNLOAD_NOT_FOUND');
    assert.match(notFound!.error!.message, /HTTP 404/);
    assert.equal(r.server.requestsFor(missingUrl).length, 1);

    const brokenUrl = r.catalogue.get('silero-vad-v6').downloads[0]!.url;
    r.server.route(brokenUrl, { status: 500 });
    const [broken] = await r.manager({ retries: 2 }).pull([r.catalogue.get('silero-vad-v6')]);
    assert.equal((broken?.error as { code?: string }).code, 'SAT_ERR_MODEL_DOWNLOAD_HTTP');
    assert.match(broken!.error!.message, /HTTP 500/);
    assert.equal(r.server.requestsFor(brokenUrl).length, 3, 'first attempt + 2 retries');
    assert.deepEqual((await readLock(r.modelsDir)).models, {});
    assert.deepEqual(leftovers(r.modelsDir), []);
  } finally {
    await r.close();
  }
});

test('two pulls of the same model at once download it once; the second finds it installed', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const entries = () => r.catalogue.resolve(['oww-hey-mycroft']);
    const [a, b] = await Promise.all([r.manager().pull(entries()), r.manager().pull(entries())]);
    const outcomes = [...a!, ...b!].map((x) => x.outcome).sort();
    assert.deepEqual(outcomes, ['installed', 'installed', 'installed', 'present', 'present', 'present']);
    for (const id of ['oww-melspectrogram', 'oww-embedding', 'oww-hey-mycroft']) {
      assert.equal(r.server.requestsFor(r.catalogue.get(id).downloads[0]!.url).length, 1, `${id} downloaded once`);
    }
  } finally {
    await r.close();
  }
});

test('verify catches a file edited after install, pull refuses it as modified and pull --force repairs it', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const manager = r.manager();
    await manager.pull([r.catalogue.get('silero-vad-v5')]);
    const file = path.join(r.modelsDir, 'silero-vad-v5', 'silero_vad.onnx');
    appendFileSync(file, 'x');
    const [result] = await manager.verify(['silero-vad-v5']);
    assert.deepEqual(result?.problems, ['modified silero-vad-v5/silero_vad.onnx']);
    const [refused] = await manager.pull([r.catalogue.get('silero-vad-v5')]);
    assert.equal((refused?.error as { code?: string }).code, 'SAT_ERR_MODEL_MODIFIED');
    assert.match(refused!.error!.message, /file modified/);
    const [forced] = await manager.pull([r.catalogue.get('silero-vad-v5')], { force: true });
    assert.equal(forced?.outcome, 'installed');
    assert.deepEqual(await manager.verify(['silero-vad-v5']), [{ id: 'silero-vad-v5', problems: [] }]);
  } finally {
    await r.close();
  }
});

test('a TOFU zip records its hash on first use, and a later different download fails while the install stays intact', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present') || !need(t, hasCommand('zip') && hasCommand('unzip'), 'zip/unzip not installed')) return;
  const r = await rig([
    { id: 'test-kws-zh', kind: 'wake', backend: 'sherpa-kws', licence: 'Apache-2.0', downloads: [{ url: ZIP_URL, archive: 'zip', pin_source: 'tofu' }] },
  ]);
  const tmp = tempDir('zip');
  try {
    const zip = buildZip(KWS_ZH_FOLDER, tmp);
    r.server.route(ZIP_URL, { file: zip });
    const { log, lines } = captureLogger();
    const manager = r.manager({ log });
    const [first] = await manager.pull([r.catalogue.get('test-kws-zh')]);
    assert.equal(first?.outcome, 'installed', first?.error?.message);
    const record = (await readLock(r.modelsDir)).models['test-kws-zh']!;
    assert.equal(record.trust, 'tofu');
    assert.equal(record.sha256, (await sha256File(zip)).sha256);
    const md = modelsMdPins()[`${KWS_ZH_FOLDER}/`]!;
    for (const [name, pin] of Object.entries(md)) assert.equal(record.files[name]?.sha256, pin.sha256, name);
    assert.ok(lines.some((l) => /no published pin/.test(String(l['msg']))));

    r.server.route(ZIP_URL, { file: zip, flipByte: true });
    const [second] = await manager.pull([r.catalogue.get('test-kws-zh')], { force: true });
    assert.equal((second?.error as { code?: string }).code, 'SAT_ERR_MODEL_HASH_MISMATCH');
    assert.match(second!.error!.message, /upstream changed/);
    assert.deepEqual(await manager.verify(['test-kws-zh']), [{ id: 'test-kws-zh', problems: [] }]);
    assert.deepEqual(leftovers(r.modelsDir), []);
  } finally {
    removeDir(tmp);
    await r.close();
  }
});

test('an archive member that differs from its pin fails the install and leaves nothing behind', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present') || !need(t, hasCommand('bzip2'), 'bzip2 not installed')) return;
  const tmp = tempDir('member');
  const archive = buildTarBz2(KWS_FOLDER, KWS_TOP, tmp);
  const pin = await sha256File(archive);
  const r = await rig([
    {
      id: 'test-kws-bad-member',
      kind: 'wake',
      backend: 'sherpa-kws',
      licence: 'Apache-2.0',
      downloads: [{ url: KWS_URL, archive: 'tar.bz2', pins: [pin], pin_source: 'third-party', files: { 'tokens.txt': { sha256: '0'.repeat(64) } } }],
    },
  ]);
  try {
    r.server.route(KWS_URL, { file: archive });
    const [report] = await r.manager().pull([r.catalogue.get('test-kws-bad-member')]);
    assert.equal((report?.error as { code?: string }).code, 'SAT_ERR_MODEL_HASH_MISMATCH');
    assert.match(report!.error!.message, /archive member tokens\.txt/);
    assert.equal(existsSync(path.join(r.modelsDir, 'test-kws-bad-member')), false);
    assert.deepEqual(leftovers(r.modelsDir), []);
  } finally {
    removeDir(tmp);
    await r.close();
  }
});

test('remove deletes a model, keeps a shared front end another head needs, and forgets it in the lock', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const manager = r.manager();
    await manager.pull(manager.plan(['oww-alexa', 'oww-hey-jarvis', 'silero-vad-v6']));
    await assert.rejects(manager.remove(['oww-embedding']), (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_IN_USE');
    assert.deepEqual(await manager.remove(['oww-alexa', 'silero-vad-v6']), ['oww-alexa', 'silero-vad-v6']);
    assert.equal(existsSync(path.join(r.modelsDir, 'silero-vad-v6')), false);
    const left = readdirSync(path.join(r.modelsDir, 'openwakeword')).sort();
    assert.deepEqual(left, ['embedding_model.onnx', 'hey_jarvis_v0.1.onnx', 'melspectrogram.onnx']);
    const lock = await readLock(r.modelsDir);
    assert.deepEqual(Object.keys(lock.models).sort(), ['oww-embedding', 'oww-hey-jarvis', 'oww-melspectrogram']);
    assert.match(readFileSync(path.join(r.modelsDir, 'models.lock.json'), 'utf8'), /"version": 1/);
  } finally {
    await r.close();
  }
});

test('files already on disk with the pinned bytes are adopted into the lock without a download', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  const r = await rig();
  try {
    const manager = r.manager();
    await manager.pull([r.catalogue.get('silero-vad-v6')]);
    // forget the lock record, as if the folder had been copied in by hand
    const { updateLock } = await import('../../src/models/lock-file.js');
    await updateLock(r.modelsDir, (d) => {
      delete d.models['silero-vad-v6'];
    });
    const before = r.server.requests.length;
    const [report] = await manager.pull([r.catalogue.get('silero-vad-v6')]);
    assert.equal(report?.outcome, 'present');
    assert.equal(r.server.requests.length, before);
    assert.equal((await readLock(r.modelsDir)).models['silero-vad-v6']?.trust, 'pinned');
  } finally {
    await r.close();
  }
});

