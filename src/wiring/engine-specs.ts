/**
 * What is installed, as the speech service's catalogue wants it: one spec per model of every kind,
 * in preference order, from the model folders (read once, through the backend registry) and the
 * models the config names explicitly. A spec's key holds everything its engine is built from, so a
 * rescan keeps every engine whose files and settings did not change.
 */
import path from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { asrWorkers, resolveRuntime } from '../config/runtime.js';
import type { RuntimeOverrides } from '../config/sections/common.js';
import type { SttModelEntry } from '../config/sections/stt.js';
import type { EngineSpec } from '../core/speech/engine-kinds.js';
import { detectAsrFolder, makeSpec, sortByPreference } from '../engines/asr/model-discovery.js';
import type { AsrFiles, AsrModelSpec } from '../engines/asr/model-spec.js';
import {
  CPU_ONLY_ASR,
  asrSampleRate,
  createAsrEngine,
  createEspeak,
  createKeywordSpotter,
  createOpenWakeWord,
  createTtsEngine,
  createVad,
  scanModelFolders,
  type FolderFindings,
  type TtsFound,
} from '../engines/registry.js';
import { effectiveProvider, sherpaHasCuda } from '../engines/runtime/sherpa-native.js';
import { ESPEAK_VOICE_PREFIX } from '../engines/tts/espeak/espeak-engine.js';
import { findEspeakDataIn, systemEspeakDataDir } from '../engines/tts/piper/piper-import.js';
import { findKokoroFiles } from '../engines/tts/kokoro/kokoro-engine.js';
import { findPiperFiles } from '../engines/tts/piper/piper-engine.js';
import type { EngineRuntimeOptions } from '../engines/types.js';
import { findSileroModel } from '../engines/vad/silero/silero-discovery.js';
import { backboneFor, findOpenWakeWordFolder, groupByBackbone, type OwwEngineSpec } from '../engines/wake/openwakeword/openwakeword-files.js';
import { findKwsFolder, guessKwsLanguages, type KwsFolder } from '../engines/wake/sherpa-kws/kws-files.js';
import { keywordLines } from '../engines/wake/sherpa-kws/kws-keywords.js';
import { phraseFromName, wakeWordName } from '../engines/wake/wake-names.js';
import type { WakeTuning } from '../engines/wake/wake-trigger.js';
import { SatelliteError } from '../util/errors.js';
import { isDir } from '../util/file-kind.js';
import type { Logger } from '../util/logger.js';

const ESPEAK_ID = 'espeak-ng';

/**
 * Size and modification time of a model's files: part of every key, so a file replaced in place
 * (a re-download, a copy over it) rebuilds its engine on the next rescan.
 */
function fingerprint(files: ReadonlyArray<string | undefined | null>): string[] {
  return files.filter((f): f is string => typeof f === 'string' && f.length > 0).map((f) => {
    try {
      const st = statSync(f);
      return `${st.size}:${Math.round(st.mtimeMs)}`;
    } catch {
      return 'missing';
    }
  });
}

/** Builds the discovery function the catalogue calls on every rescan. */
export function engineDiscovery(config: Readonly<Config>, log: Logger): () => Promise<EngineSpec[]> {
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(fields, message);
  };
  const hasCuda = sherpaHasCuda();
  const provider = (runtime: EngineRuntimeOptions, cpuOnly: boolean): EngineRuntimeOptions => ({
    ...runtime,
    provider: cpuOnly ? 'cpu' : effectiveProvider(runtime.provider, hasCuda, (m) => warnOnce('cuda', {}, m)),
  });
  return async () => {
    const modelsDir = config.models_dir!;
    const espeakData = findEspeakDataIn(modelsDir) ?? (await systemEspeakDataDir(config.tts.espeak.program));
    const folders = await scanModelFolders(modelsDir, espeakData);
    return [
      ...(await asrSpecs(config, folders, provider, log)),
      ...(await vadSpecs(config, provider)),
      ...ttsSpecs(config, folders, espeakData, provider, log),
      ...wakeSpecs(config, folders, provider, log),
    ];
  };
}

type Provider = (runtime: EngineRuntimeOptions, cpuOnly: boolean) => EngineRuntimeOptions;

async function specFromEntry(config: Readonly<Config>, entry: SttModelEntry, log: Logger): Promise<AsrModelSpec | undefined> {
  const dir = path.resolve(config.models_dir ?? '.', entry.path);
  const detected = await detectAsrFolder(dir);
  const files = entry.files as AsrFiles;
  const family = entry.family ?? detected?.family;
  if (!family || (!detected && Object.keys(files).length === 0 && family !== 'vosk')) {
    log.warn({ model: entry.name, path: dir }, 'configured speech-to-text model not found or not recognised; skipped');
    return undefined;
  }
  const spec = makeSpec(entry.name, dir, { family, files: { ...(detected?.family === family ? detected.files : {}), ...files }, languages: detected?.languages ?? ['en'] }, 'config');
  if (entry.languages) spec.languages = [...entry.languages];
  spec.language = entry.language ?? undefined;
  spec.task = entry.task;
  spec.grammar = entry.grammar ?? undefined;
  return spec;
}

/** Explicit entries first, then discovered folders not already named, in preference order. */
export async function asrModelSpecs(config: Readonly<Config>, folders: readonly FolderFindings[], log: Logger): Promise<Array<{ spec: AsrModelSpec; overrides: RuntimeOverrides }>> {
  const out: Array<{ spec: AsrModelSpec; overrides: RuntimeOverrides }> = [];
  for (const entry of config.stt.models) {
    const spec = await specFromEntry(config, entry, log);
    if (spec && !out.some((o) => o.spec.name === spec.name)) out.push({ spec, overrides: entry });
  }
  if (config.stt.discover) {
    const found = sortByPreference(folders.flatMap((f) => (f.asr ? [f.asr] : [])));
    for (const spec of found) if (!out.some((o) => o.spec.name === spec.name || o.spec.dir === spec.dir)) out.push({ spec, overrides: {} });
  }
  for (const o of out) o.spec.sampleRate = await asrSampleRate(o.spec);
  return out;
}

async function asrSpecs(config: Readonly<Config>, folders: readonly FolderFindings[], provider: Provider, log: Logger): Promise<EngineSpec[]> {
  return (await asrModelSpecs(config, folders, log)).map(({ spec, overrides }) => {
    const resolved = provider(resolveRuntime(config, config.stt.runtime, overrides), CPU_ONLY_ASR.has(spec.family));
    const runtime = { ...resolved, workers: asrWorkers(config, resolved.numThreads) };
    const key = JSON.stringify([spec, runtime, fingerprint(Object.values(spec.files))]);
    return { kind: 'asr', id: spec.name, key, preload: runtime.preload, build: () => createAsrEngine(spec, runtime, config.stt.vosk_library) };
  });
}

async function vadSpecs(config: Readonly<Config>, provider: Provider): Promise<EngineSpec[]> {
  const file = await findSileroModel(config.models_dir ?? '.', config.vad.model);
  if (!file) return [];
  const runtime = provider(resolveRuntime(config, config.vad.runtime), true);
  const defaults = { threshold: config.vad.threshold, minSilenceSeconds: config.vad.min_silence_s, minSpeechSeconds: config.vad.min_speech_s };
  const name = path.basename(file, '.onnx');
  return [{ kind: 'vad', id: name, key: JSON.stringify([file, defaults, runtime, fingerprint([file])]), preload: runtime.preload, build: () => createVad(name, file, defaults, runtime) }];
}

function ttsSpecs(config: Readonly<Config>, folders: readonly FolderFindings[], espeakData: string | null, provider: Provider, log: Logger): EngineSpec[] {
  const runtime = provider(resolveRuntime(config, config.tts.runtime), false);
  const out: EngineSpec[] = [];
  const voice = (id: string, found: TtsFound) =>
    out.push({
      kind: 'tts',
      id,
      key: JSON.stringify([found, runtime, fingerprint([found.files.model, found.files.tokens, 'voices' in found.files ? found.files.voices : found.files.config])]),
      preload: runtime.preload,
      build: ({ takenNames }) => createTtsEngine(found, runtime, log, takenNames),
    });
  if (config.tts.discover) {
    for (const f of folders) {
      if (f.tts) voice(f.name, f.tts);
      else if (f.rawPiper) out.push(rawPiperSpec(f));
    }
  }
  for (const v of config.tts.piper) {
    const dir = path.dirname(v.model);
    const dataDir = v.data_dir ?? findPiperFiles(dir, espeakData)?.dataDir ?? espeakData ?? path.join(dir, 'espeak-ng-data');
    voice(v.name ?? path.basename(v.model, '.onnx'), {
      family: 'piper',
      files: { name: v.name ?? undefined, model: v.model, tokens: v.tokens ?? path.join(dir, 'tokens.txt'), dataDir, config: `${v.model}.json` },
    });
  }
  for (const k of config.tts.kokoro) {
    const dir = path.dirname(k.model);
    const found = findKokoroFiles(dir, espeakData);
    voice(k.name ?? path.basename(dir), {
      family: 'kokoro',
      files: {
        name: k.name ?? path.basename(dir),
        model: k.model,
        voices: k.voices ?? path.join(dir, 'voices.bin'),
        tokens: k.tokens ?? path.join(dir, 'tokens.txt'),
        dataDir: k.data_dir ?? found?.dataDir ?? espeakData ?? path.join(dir, 'espeak-ng-data'),
        lexicon: k.lexicon ?? found?.lexicon,
        dictDir: k.dict_dir ?? found?.dictDir,
      },
    });
  }
  const s = config.tts.espeak;
  if (s.enabled) {
    // A configured default voice that is an espeak-ng one is offered whatever `offer` says.
    const include = [config.tts.default_voice, config.satellite.tts_voice].flatMap((v) => (v?.toLowerCase().startsWith(ESPEAK_VOICE_PREFIX) ? [v.slice(ESPEAK_VOICE_PREFIX.length)] : []));
    const options = { program: s.program, languages: s.voices, preferred: s.preferred, offer: s.offer, include, library: s.library, idleUnloadSeconds: runtime.idleUnloadSeconds, maxConcurrent: s.max_concurrent, maxQueue: runtime.maxQueue };
    out.push({
      kind: 'tts',
      id: ESPEAK_ID,
      key: JSON.stringify(options),
      preload: false,
      build: async () => {
        const engine = await createEspeak({ ...options, log });
        if (!engine) throw new SatelliteError('SAT_ERR_TTS_ENGINE', `espeak-ng (${s.program}) is not installed: the zero-download fallback voice is missing (apt install espeak-ng)`);
        return engine;
      },
    });
  }
  return out;
}

/** A Piper voice without sherpa-onnx metadata: reported once (by the catalogue) with the command that fixes it. */
function rawPiperSpec(f: FolderFindings): EngineSpec {
  return {
    kind: 'tts',
    id: f.name,
    key: `raw-piper:${f.dir}`,
    preload: false,
    build: () => {
      throw new SatelliteError('SAT_ERR_MODEL_INVALID', `${f.name} is a Piper voice without sherpa-onnx metadata; convert it with: satellite models import-piper ${f.dir}/<voice>.onnx`);
    },
  };
}

function underModels(config: Readonly<Config>, p: string): string {
  return path.resolve(config.models_dir ?? '.', p);
}

/** Explicit openWakeWord entries, then discovered folders; heads sharing a front end become one engine. */
function openWakeWordSpecs(config: Readonly<Config>, folders: readonly FolderFindings[], log: Logger): OwwEngineSpec[] {
  const specs: OwwEngineSpec[] = [];
  for (const entry of config.wake.openwakeword) {
    const target = underModels(config, entry.path);
    if (isDir(target)) {
      const folder = findOpenWakeWordFolder(target);
      if (!folder) {
        log.warn({ path: target }, 'configured openWakeWord folder has no melspectrogram.onnx, embedding_model.onnx and head; skipped');
        continue;
      }
      specs.push({ id: path.basename(target), ...folder, heads: folder.heads.map((h) => ({ ...h, languages: entry.languages })) });
      continue;
    }
    const backbone = backboneFor(target, entry.backbone_dir ? underModels(config, entry.backbone_dir) : null);
    if (!backbone) {
      log.warn({ path: target }, 'configured openWakeWord head not found, or no melspectrogram.onnx/embedding_model.onnx beside it or in backbone_dir; skipped');
      continue;
    }
    const name = entry.name ?? wakeWordName(target);
    specs.push({ id: path.basename(path.dirname(backbone.melspectrogram)), ...backbone, heads: [{ name, phrase: entry.phrase ?? phraseFromName(name), file: target, languages: entry.languages }] });
  }
  if (config.wake.discover) {
    for (const f of folders) {
      if (f.wake?.family !== 'openwakeword') continue;
      const { folder } = f.wake;
      specs.push({ id: f.name, melspectrogram: folder.melspectrogram, embedding: folder.embedding, heads: folder.heads.map((h) => ({ ...h, languages: ['en'] })) });
    }
  }
  return groupByBackbone(specs);
}

function kwsFolders(config: Readonly<Config>, folders: readonly FolderFindings[], log: Logger): Array<{ id: string; folder: KwsFolder }> {
  const out: Array<{ id: string; folder: KwsFolder }> = [];
  for (const p of config.wake.kws.paths) {
    const dir = underModels(config, p);
    const folder = findKwsFolder(dir, false);
    if (folder) out.push({ id: path.basename(dir), folder });
    else log.warn({ path: dir }, 'configured keyword-spotter folder has no encoder/decoder/joiner .onnx and tokens.txt; skipped');
  }
  if (config.wake.discover) for (const f of folders) if (f.wake?.family === 'kws') out.push({ id: f.name, folder: f.wake.folder });
  return out.filter((s, i) => out.findIndex((o) => o.folder.dir === s.folder.dir) === i);
}

function tuningFor(config: Readonly<Config>, name: string): Partial<WakeTuning> {
  const w = config.wake.words[name];
  if (!w) return {};
  return {
    ...(w.threshold === undefined ? {} : { threshold: w.threshold }),
    ...(w.trigger_level === undefined ? {} : { triggerLevel: w.trigger_level }),
    ...(w.refractory_s === undefined ? {} : { refractoryMs: w.refractory_s * 1000 }),
  };
}

function wakeSpecs(config: Readonly<Config>, folders: readonly FolderFindings[], provider: Provider, log: Logger): EngineSpec[] {
  const runtime = provider(resolveRuntime(config, config.wake.runtime), false);
  const w = config.wake;
  const out: EngineSpec[] = [];
  const ids = new Set<string>();
  const uniqueId = (id: string) => {
    let unique = id;
    for (let n = 2; ids.has(unique); n++) unique = `${id}-${n}`;
    ids.add(unique);
    return unique;
  };
  for (const spec of openWakeWordSpecs(config, folders, log)) {
    const id = uniqueId(spec.id);
    const heads = spec.heads.map((h) => ({ ...h, tuning: tuningFor(config, h.name) }));
    const tuning = { threshold: w.threshold, triggerLevel: w.trigger_level, refractoryMs: w.refractory_s * 1000 };
    const options = { id, melspectrogram: spec.melspectrogram, embedding: spec.embedding, heads, tuning, runtime };
    const files = fingerprint([spec.melspectrogram, spec.embedding, ...spec.heads.map((h) => h.file)]);
    out.push({ kind: 'wake', id, key: JSON.stringify([options, files]), preload: runtime.preload, build: () => createOpenWakeWord({ ...options, log }) });
  }
  for (const { id: folderId, folder } of kwsFolders(config, folders, log)) {
    const id = uniqueId(folderId);
    const file = w.kws.keywords_file ? underModels(config, w.kws.keywords_file) : folder.keywords;
    const spotter = { keywordsScore: w.kws.keywords_score, keywordsThreshold: w.kws.keywords_threshold, numTrailingBlanks: w.kws.num_trailing_blanks, maxActivePaths: w.kws.max_active_paths };
    // The phrases are part of the key: editing keywords.txt rebuilds the spotter on the next rescan.
    const keywords = [...(file ? readKeywords(file, log) : []), ...w.kws.keywords];
    const options = { id, ...folder, keywords, languages: w.kws.languages, spotter, refractoryMs: w.refractory_s * 1000, runtime };
    out.push({
      kind: 'wake',
      id,
      key: JSON.stringify([options, fingerprint([folder.encoder, folder.decoder, folder.joiner, folder.tokens])]),
      preload: runtime.preload,
      build: ({ takenNames }) => {
        const engine = createKeywordSpotter({
          id,
          ...folder,
          keywords,
          languages: w.kws.languages ?? guessKwsLanguages(folder.tokens),
          takenNames,
          spotter,
          tuning: { refractoryMs: w.refractory_s * 1000 },
          runtime,
          log,
        });
        for (const p of engine.problems) log.error({ engine: id, keyword: p.line }, p.message);
        return engine;
      },
    });
  }
  return out;
}

/** A keywords file's phrases; one that cannot be read counts as empty (said, not fatal to the scan). */
function readKeywords(file: string, log: Logger): string[] {
  try {
    return keywordLines(readFileSync(file, 'utf8'));
  } catch (err) {
    log.warn({ file, reason: (err as Error).message }, 'keywords file cannot be read; its phrases are left out');
    return [];
  }
}
