/**
 * The tts part of the daemon: builds the voices (espeak-ng whenever the program exists, Piper
 * voice folders and Kokoro folders found under models_dir, and voices named in the config),
 * registers them in `ctx.engines.tts`, offers the Wyoming `tts` service, rescans when installed
 * models change, and releases everything on stop.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { resolveRuntime } from '../config/runtime.js';
import type { DaemonContext } from './daemon-context.js';
import { TtsCache } from '../core/tts-cache.js';
import { TtsProviderService } from '../adapters/wyoming/provider-tts.js';
import { effectiveProvider, sherpaHasCuda } from '../engines/runtime/sherpa-native.js';
import { EspeakEngine } from '../engines/tts/espeak/espeak-engine.js';
import { KokoroEngine, findKokoroFiles, readKokoro, type KokoroFiles } from '../engines/tts/kokoro/kokoro-engine.js';
import { findEspeakDataIn, systemEspeakDataDir } from '../engines/tts/piper/piper-import.js';
import { PiperEngine, findPiperFiles, isRawPiperVoice, readPiperVoice, type PiperVoiceFiles } from '../engines/tts/piper/piper-engine.js';
import type { TtsEngine } from '../engines/tts/tts.js';
import type { EngineRuntimeOptions } from '../engines/types.js';
import { errorCode } from '../util/errors.js';
import { moduleLogger, type Logger } from '../util/logger.js';

const ESPEAK_KEY = 'espeak-ng';
const BYTES_PER_MB = 1024 * 1024;
const BUS_OWNER = 'tts';

/** Runtime knobs for TTS models: the `engine` defaults with the `tts.runtime` overrides. */
export function ttsRuntime(config: Readonly<Config>, log: Logger): EngineRuntimeOptions {
  const runtime = resolveRuntime(config, config.tts.runtime);
  return { ...runtime, provider: effectiveProvider(runtime.provider, sherpaHasCuda(), (m) => log.warn({ kind: 'tts' }, m)) };
}

type Found = { key: string; kind: 'piper'; files: PiperVoiceFiles } | { key: string; kind: 'kokoro'; files: KokoroFiles };

/** Piper and Kokoro voices on disk: folders under models_dir (sorted), then config entries. */
async function findVoiceModels(config: Readonly<Config>, log: Logger): Promise<Found[]> {
  const modelsDir = config.models_dir!;
  const shared = findEspeakDataIn(modelsDir) ?? (await systemEspeakDataDir(config.tts.espeak.program));
  const out: Found[] = [];
  if (config.tts.discover) {
    let folders: string[] = [];
    try {
      folders = readdirSync(modelsDir, { withFileTypes: true })
        .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
    } catch {
      // no models folder yet: nothing installed
    }
    for (const folder of folders) {
      const dir = path.join(modelsDir, folder);
      const kokoro = findKokoroFiles(dir, shared);
      const piper = kokoro ? null : findPiperFiles(dir, shared);
      if (kokoro) out.push({ key: `kokoro:${dir}`, kind: 'kokoro', files: kokoro });
      else if (piper) out.push({ key: `piper:${dir}`, kind: 'piper', files: piper });
      else if (isRawPiperVoice(dir)) log.warn({ dir }, `${folder} is a Piper voice without sherpa-onnx metadata; convert it with: satellite models import-piper ${dir}/<voice>.onnx`);
    }
  }
  for (const v of config.tts.piper) {
    const dir = path.dirname(v.model);
    const dataDir = v.data_dir ?? (findPiperFiles(dir, shared)?.dataDir ?? shared ?? path.join(dir, 'espeak-ng-data'));
    const json = `${v.model}.json`;
    out.push({
      key: `piper:${v.model}`,
      kind: 'piper',
      files: { name: v.name ?? undefined, model: v.model, tokens: v.tokens ?? path.join(dir, 'tokens.txt'), dataDir, config: json },
    });
  }
  for (const k of config.tts.kokoro) {
    const dir = path.dirname(k.model);
    const found = findKokoroFiles(dir, shared);
    out.push({
      key: `kokoro:${k.model}`,
      kind: 'kokoro',
      files: {
        name: k.name ?? path.basename(dir),
        model: k.model,
        voices: k.voices ?? path.join(dir, 'voices.bin'),
        tokens: k.tokens ?? path.join(dir, 'tokens.txt'),
        dataDir: k.data_dir ?? found?.dataDir ?? shared ?? path.join(dir, 'espeak-ng-data'),
        lexicon: k.lexicon ?? found?.lexicon,
        dictDir: k.dict_dir ?? found?.dictDir,
      },
    });
  }
  return out;
}

/** Builds one found model into an engine whose voice names do not clash with `taken`. */
async function buildEngine(found: Found, taken: Set<string>, runtime: EngineRuntimeOptions, log: Logger): Promise<TtsEngine | null> {
  try {
    if (found.kind === 'piper') {
      const spec = await readPiperVoice(found.files);
      if (taken.has(spec.name)) spec.name = `${path.basename(path.dirname(spec.model))}-${spec.name}`;
      if (taken.has(spec.name)) throw new Error(`voice name "${spec.name}" is taken`);
      return new PiperEngine(spec, runtime, log);
    }
    const spec = await readKokoro(found.files);
    return new KokoroEngine(spec, runtime, log, (speaker) => (taken.has(speaker) ? `${spec.name}-${speaker}` : speaker));
  } catch (err) {
    log.warn({ err, code: errorCode(err), model: found.files.model }, `skipping TTS model ${found.files.model}`);
    return null;
  }
}

function voiceNames(engines: Iterable<TtsEngine>): Set<string> {
  const names = new Set<string>();
  for (const engine of engines) for (const v of engine.voices) names.add(v.name);
  return names;
}

/**
 * Brings `engines` in line with what is installed: adds new models, closes and removes vanished
 * ones, and adds espeak-ng on the first call. Returns the keys added and removed.
 */
export async function syncTtsEngines(engines: Map<string, TtsEngine>, config: Readonly<Config>, log: Logger): Promise<{ added: string[]; removed: string[] }> {
  const runtime = ttsRuntime(config, log);
  const added: string[] = [];
  const removed: string[] = [];
  if (config.tts.espeak.enabled && !engines.has(ESPEAK_KEY)) {
    const s = config.tts.espeak;
    const espeak = await EspeakEngine.create({
      program: s.program,
      languages: s.voices,
      preferred: s.preferred,
      maxConcurrent: s.max_concurrent,
      maxQueue: runtime.maxQueue,
      log,
    });
    if (espeak) {
      engines.set(ESPEAK_KEY, espeak);
      added.push(ESPEAK_KEY);
    } else log.warn({ program: s.program }, 'espeak-ng is not installed: the zero-download fallback voice is missing (apt install espeak-ng)');
  }
  const found = await findVoiceModels(config, log);
  const wanted = new Set(found.map((f) => f.key));
  for (const [key, engine] of engines) {
    if (key === ESPEAK_KEY || wanted.has(key)) continue;
    engines.delete(key);
    removed.push(key);
    await engine.close().catch((err: unknown) => log.warn({ err, key }, 'closing a removed TTS engine failed'));
  }
  for (const f of found) {
    if (engines.has(f.key)) continue;
    const engine = await buildEngine(f, voiceNames(engines.values()), runtime, log);
    if (!engine) continue;
    engines.set(f.key, engine);
    added.push(f.key);
    if (runtime.preload) await engine.preload?.().catch((err: unknown) => log.error({ err, key: f.key }, 'preloading a TTS model failed'));
  }
  return { added, removed };
}

/** Every installed voice, for one-shot use (`satellite speak`). */
export async function buildTtsEngines(config: Readonly<Config>, log: Logger): Promise<Map<string, TtsEngine>> {
  const engines = new Map<string, TtsEngine>();
  await syncTtsEngines(engines, config, log);
  return engines;
}

export async function startTts(context: DaemonContext): Promise<void> {
  const { config } = context;
  if (!config.tts.enabled) return;
  const log = moduleLogger('tts', context.log);
  const engines = context.engines.tts;
  await syncTtsEngines(engines, config, log);
  const cacheSettings = config.tts.cache;
  const service = new TtsProviderService({
    engines,
    defaultVoice: config.tts.default_voice,
    maxTextChars: config.tts.max_text_chars,
    speed: config.tts.speed,
    samplesPerChunk: config.tts.samples_per_chunk,
    cache: cacheSettings.max_entries > 0 ? new TtsCache({ maxEntries: cacheSettings.max_entries, maxBytes: cacheSettings.max_mb * BYTES_PER_MB }) : null,
    bus: context.bus,
    log,
    version: context.version,
  });
  context.providerServices.push(service);
  log.info({ voices: [...voiceNames(engines.values())].length, engines: [...engines.keys()] }, 'tts ready');

  // Rescans run one after another; a burst of installs costs one scan each, in order.
  let rescan: Promise<void> = Promise.resolve();
  // Any kind may matter (espeak-ng data is a model of its own); a scan reads only small files.
  context.bus.on('models-changed', BUS_OWNER, () => {
    rescan = rescan.then(async () => {
      const { added, removed } = await syncTtsEngines(engines, config, log);
      if (added.length || removed.length) log.info({ added, removed }, 'tts voices changed');
    }).catch((err: unknown) => log.error({ err }, 'tts rescan failed'));
  });
  context.lifecycle.onStop('tts', async () => {
    context.bus.removeOwner(BUS_OWNER);
    await rescan;
    for (const engine of engines.values()) await engine.close().catch((err: unknown) => log.warn({ err }, 'closing a TTS engine failed'));
    engines.clear();
  });
}
