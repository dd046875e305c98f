import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Catalogue, CatalogueError, isPinned, loadCatalogue, readCatalogueFile } from '../../src/models/catalogue.js';
import { sha256File } from '../../src/models/hash.js';
import { applyMirrors, effectiveMirrors } from '../../src/models/mirrors.js';
import { hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { KWS_FOLDER, modelsMdPins, removeDir, SHARED_BYTES, tempDir } from './fixtures.js';

/** §4 of model-sources.md: the entries every catalogue must carry. */
const SHORT_TABLE = [
  'silero-vad-v6',
  'silero-vad-v5',
  'oww-melspectrogram',
  'oww-embedding',
  'oww-hey-jarvis',
  'kws-zipformer-gigaspeech-3.3m',
  'zipformer-en-kroko-2025-08-06',
  'zipformer-en-20m-2023-02-17',
  'parakeet-tdt-0.6b-v2-int8',
  'whisper-base.en-int8',
  'moonshine-tiny-en-int8',
  'moonshine-v2-tiny-en',
  'piper-en_US-lessac-medium',
  'espeak-ng-data',
  'kokoro-en-v0_19',
];

test('the built-in catalogue loads and carries every entry of the short table plus espeak-ng-data and the openWakeWord front end', () => {
  const catalogue = loadCatalogue();
  for (const id of SHORT_TABLE) assert.ok(catalogue.has(id), `${id} missing from config/models.yml`);
  for (const entry of catalogue.entries) {
    for (const d of entry.downloads) {
      assert.match(d.url, /^https:\/\//, `${entry.id} downloads over HTTPS`);
      if (d.url.includes('huggingface.co/')) assert.match(d.url, /\/resolve\/[0-9a-f]{40}\//, `${entry.id} pins a Hugging Face commit`);
      if (d.url.includes('raw.githubusercontent.com/')) assert.match(d.url, /\/[0-9a-f]{40}\//, `${entry.id} pins a git commit`);
    }
  }
});

test('the default preset is the recommended set, with requirements pulled first', () => {
  const ids = loadCatalogue()
    .preset('defaults')
    .map((e) => e.id);
  for (const id of ['silero-vad-v6', 'oww-hey-jarvis', 'zipformer-en-kroko-2025-08-06', 'parakeet-tdt-0.6b-v2-int8', 'piper-en_US-lessac-medium', 'espeak-ng-data']) {
    assert.ok(ids.includes(id), `${id} in defaults`);
  }
  assert.ok(ids.indexOf('oww-melspectrogram') < ids.indexOf('oww-hey-jarvis'));
  assert.ok(ids.indexOf('espeak-ng-data') < ids.indexOf('piper-en_US-lessac-medium'));
});

test('the small preset swaps Parakeet for Whisper base.en and the licence-clean preset has no non-commercial or restricted model', () => {
  const catalogue = loadCatalogue();
  const small = catalogue.preset('small').map((e) => e.id);
  assert.ok(small.includes('whisper-base.en-int8'));
  assert.ok(!small.includes('parakeet-tdt-0.6b-v2-int8'));
  const clean = catalogue.preset('licence-clean');
  assert.ok(clean.length >= 4);
  for (const entry of clean) {
    assert.deepEqual(
      entry.flags.filter((f) => f === 'non-commercial' || f === 'restricted'),
      [],
      `${entry.id} is licence-clean`,
    );
  }
});

test('entries without a published pin are trust-on-first-use and re-uploaded assets accept every known digest', () => {
  const catalogue = loadCatalogue();
  const tofu = catalogue.entries.filter((e) => !isPinned(e));
  assert.ok(tofu.length >= 1);
  for (const entry of tofu) for (const d of entry.downloads) if (!d.pins.length) assert.equal(d.pin_source, 'tofu');
  const kokoro = catalogue.get('kokoro-multi-lang-v1_0');
  assert.equal(kokoro.downloads[0]!.pins.length, 2);
});

test('the catalogue pins of the shared models equal MODELS.md and the bytes in ../shared/models', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder (../shared/models) not present')) return;
  const catalogue = loadCatalogue();
  const md = modelsMdPins();
  for (const [id, rel] of Object.entries(SHARED_BYTES)) {
    const [folder, file] = rel.split('/') as [string, string];
    const fromMd = md[`${folder}/`]?.[file];
    assert.ok(fromMd, `MODELS.md lists ${rel}`);
    const bytes = await sha256File(sharedModel(rel));
    const pins = catalogue.get(id).downloads[0]!.pins;
    assert.ok(pins.some((p) => p.sha256 === bytes.sha256 && p.size === bytes.size), `${id}: catalogue pin matches the shared bytes`);
    assert.deepEqual({ sha256: bytes.sha256, size: bytes.size }, fromMd, `${id}: MODELS.md matches the shared bytes`);
  }
  // the keyword spotter archive's member pins agree with the unpatched shared files
  const members = catalogue.get('kws-zipformer-gigaspeech-3.3m').downloads[0]!.files;
  for (const name of ['decoder-epoch-12-avg-2-chunk-16-left-64.onnx', 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx', 'tokens.txt', 'bpe.model']) {
    const bytes = await sha256File(sharedModel(KWS_FOLDER, name));
    assert.equal(members[name]?.sha256, bytes.sha256, name);
    assert.equal(md[`${KWS_FOLDER}/`]?.[name]?.sha256, bytes.sha256, name);
  }
});

test('an invalid catalogue file fails with every bad path listed', () => {
  const dir = tempDir('catalogue');
  try {
    const file = path.join(dir, 'bad.yml');
    writeFileSync(
      file,
      'version: 1\nmodels:\n  - id: x\n    kind: nope\n    backend: b\n    licence: MIT\n    downloads:\n      - url: https://example.invalid/a.onnx\n        path: ../escape.onnx\n        pins: [{ sha256: abc, size: 1 }]\n',
    );
    assert.throws(
      () => readCatalogueFile(file),
      (err: unknown) => {
        assert.ok(err instanceof CatalogueError);
        assert.equal(err.code, 'SAT_ERR_MODEL_CATALOGUE');
        assert.match(err.message, /models\.0\.kind/);
        assert.match(err.message, /path/);
        assert.match(err.message, /sha256/);
        return true;
      },
    );
  } finally {
    removeDir(dir);
  }
});

test('requirements that name unknown models or form a cycle are refused', () => {
  const entry = (id: string, requires: string[]) => ({
    id,
    kind: 'vad' as const,
    backend: 'silero',
    role: 'model' as const,
    description: '',
    licence: 'MIT',
    flags: [],
    languages: [],
    requires,
    downloads: [{ url: `https://example.invalid/${id}`, path: `${id}.onnx`, pins: [], pin_source: 'tofu' as const, exclude: [], files: {} }],
  });
  assert.throws(() => new Catalogue([{ version: 1, presets: {}, models: [entry('a', ['ghost'])] }]), /unknown model "ghost"/);
  const cyclic = new Catalogue([{ version: 1, presets: {}, models: [entry('a', ['b']), entry('b', ['a'])] }]);
  assert.throws(() => cyclic.resolve(['a']), /cycle/);
  assert.throws(() => cyclic.get('zzz'), (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_UNKNOWN');
});

test('mirror rules rewrite the longest matching prefix and HF_ENDPOINT becomes a Hugging Face mirror', () => {
  const mirrors = effectiveMirrors(
    { 'https://github.com/': 'http://lan/gh/', 'https://github.com/k2-fsa/': 'http://lan/k2/' },
    { HF_ENDPOINT: 'https://hf-mirror.example' },
  );
  assert.equal(applyMirrors('https://github.com/k2-fsa/sherpa-onnx/x.tar.bz2', mirrors), 'http://lan/k2/sherpa-onnx/x.tar.bz2');
  assert.equal(applyMirrors('https://github.com/dscripka/a.onnx', mirrors), 'http://lan/gh/dscripka/a.onnx');
  assert.equal(applyMirrors('https://huggingface.co/r/resolve/c/f', mirrors), 'https://hf-mirror.example/r/resolve/c/f');
  assert.equal(applyMirrors('https://alphacephei.com/v.zip', mirrors), 'https://alphacephei.com/v.zip');
});
