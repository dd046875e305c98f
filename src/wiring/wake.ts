/**
 * Starts the wake part: finds openWakeWord and keyword-spotter models (folders under models_dir
 * plus explicit config entries), registers one engine per front end / spotter in
 * `ctx.engines.wake` (openWakeWord first, so its names win), offers the Wyoming `wake` service,
 * rescans when models change, and closes the engines on stop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { resolveRuntime } from '../config/runtime.js';
import type { DaemonContext } from './daemon-context.js';
import { createWakeService } from '../adapters/wyoming/provider-wake.js';
import { discoverKws, discoverOpenWakeWord, groupByBackbone, type KwsEngineSpec, type OwwEngineSpec } from '../engines/wake/discovery.js';
import { guessKwsLanguages, findKwsFolder } from '../engines/wake/sherpa-kws/kws-files.js';
import { keywordLines } from '../engines/wake/sherpa-kws/kws-keywords.js';
import { backboneFor, findOpenWakeWordFolder, phraseFromName, wakeWordName } from '../engines/wake/openwakeword/openwakeword-files.js';
import { OpenWakeWordEngine } from '../engines/wake/openwakeword/openwakeword.js';
import { KwsEngine } from '../engines/wake/sherpa-kws/sherpa-kws.js';
import type { WakeTuning } from '../engines/wake/wake-trigger.js';
import type { WakeEngine } from '../engines/wake/wake.js';
import type { EngineRuntimeOptions } from '../engines/types.js';
import { errorMessage } from '../util/errors.js';
import { isDir } from '../util/file-kind.js';
import { moduleLogger, type Logger } from '../util/logger.js';

const BUS_OWNER = 'wake';

type Spec = OwwEngineSpec | KwsEngineSpec;

export function wakeRuntime(config: Readonly<Config>): EngineRuntimeOptions {
  return resolveRuntime(config, config.wake.runtime);
}

function underModels(config: Readonly<Config>, p: string): string {
  return path.resolve(config.models_dir ?? '.', p);
}

/** Explicit openWakeWord entries, then discovered folders; grouped by front end. */
export function openWakeWordSpecs(config: Readonly<Config>, log: Logger): OwwEngineSpec[] {
  const specs: OwwEngineSpec[] = [];
  for (const entry of config.wake.openwakeword) {
    const target = underModels(config, entry.path);
    if (isDir(target)) {
      const folder = findOpenWakeWordFolder(target);
      if (!folder) {
        log.warn({ path: target }, 'configured openWakeWord folder has no melspectrogram.onnx, embedding_model.onnx and head; skipped');
        continue;
      }
      specs.push({ kind: 'openwakeword', id: path.basename(target), ...folder, heads: folder.heads.map((h) => ({ ...h, languages: entry.languages })) });
      continue;
    }
    const backbone = backboneFor(target, entry.backbone_dir ? underModels(config, entry.backbone_dir) : null);
    if (!backbone) {
      log.warn({ path: target }, 'configured openWakeWord head not found, or no melspectrogram.onnx/embedding_model.onnx beside it or in backbone_dir; skipped');
      continue;
    }
    const name = entry.name ?? wakeWordName(target);
    const head = { name, phrase: entry.phrase ?? phraseFromName(name), file: target, languages: entry.languages };
    specs.push({ kind: 'openwakeword', id: path.basename(path.dirname(backbone.melspectrogram)), ...backbone, heads: [head] });
  }
  if (config.wake.discover && config.models_dir) specs.push(...discoverOpenWakeWord(config.models_dir));
  return groupByBackbone(specs);
}

export function kwsSpecs(config: Readonly<Config>, log: Logger): KwsEngineSpec[] {
  const specs: KwsEngineSpec[] = [];
  for (const p of config.wake.kws.paths) {
    const dir = underModels(config, p);
    const folder = findKwsFolder(dir, false);
    if (folder) specs.push({ kind: 'kws', id: path.basename(dir), folder });
    else log.warn({ path: dir }, 'configured keyword-spotter folder has no encoder/decoder/joiner .onnx and tokens.txt; skipped');
  }
  if (config.wake.discover && config.models_dir) specs.push(...discoverKws(config.models_dir));
  return specs.filter((s, i) => specs.findIndex((o) => o.folder.dir === s.folder.dir) === i);
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

function baseTuning(config: Readonly<Config>): WakeTuning {
  return { threshold: config.wake.threshold, triggerLevel: config.wake.trigger_level, refractoryMs: config.wake.refractory_s * 1000 };
}

function createEngine(config: Readonly<Config>, spec: Spec, takenNames: Set<string>, log: Logger): WakeEngine {
  const runtime = wakeRuntime(config);
  if (spec.kind === 'openwakeword') {
    return new OpenWakeWordEngine({
      id: spec.id,
      melspectrogram: spec.melspectrogram,
      embedding: spec.embedding,
      heads: spec.heads.map((h) => ({ ...h, tuning: tuningFor(config, h.name) })),
      tuning: baseTuning(config),
      runtime,
      log,
    });
  }
  const kws = config.wake.kws;
  const file = kws.keywords_file ? underModels(config, kws.keywords_file) : spec.folder.keywords;
  const lines = [...(file ? keywordLines(readFileSync(file, 'utf8')) : []), ...kws.keywords];
  const engine = new KwsEngine({
    id: spec.id,
    ...spec.folder,
    keywords: lines,
    languages: kws.languages ?? guessKwsLanguages(spec.folder.tokens),
    takenNames,
    spotter: {
      keywordsScore: kws.keywords_score,
      keywordsThreshold: kws.keywords_threshold,
      numTrailingBlanks: kws.num_trailing_blanks,
      maxActivePaths: kws.max_active_paths,
    },
    tuning: { refractoryMs: config.wake.refractory_s * 1000 },
    runtime,
    log,
  });
  for (const p of engine.problems) log.error({ engine: spec.id, keyword: p.line }, p.message);
  return engine;
}

/** Builds the engines for what is installed now, reusing unchanged ones from `previous`. */
export function buildWakeEngines(config: Readonly<Config>, log: Logger, previous = new Map<string, { key: string; engine: WakeEngine }>()) {
  const built = new Map<string, { key: string; engine: WakeEngine }>();
  const takenNames = new Set<string>();
  for (const spec of [...openWakeWordSpecs(config, log), ...kwsSpecs(config, log)]) {
    let id = spec.id;
    for (let n = 2; built.has(id); n++) id = `${spec.id}-${n}`;
    const key = JSON.stringify(spec);
    const old = previous.get(id);
    try {
      const engine = old && old.key === key ? old.engine : createEngine(config, spec, takenNames, log);
      for (const m of engine.models) takenNames.add(m.name);
      built.set(id, { key, engine });
    } catch (err) {
      log.error({ engine: id, err: errorMessage(err) }, 'wake engine not usable; skipped');
    }
  }
  return built;
}

export async function startWake(context: DaemonContext): Promise<void> {
  const { config, bus, lifecycle } = context;
  const log = moduleLogger('wake', context.log);
  let current = new Map<string, { key: string; engine: WakeEngine }>();

  const scan = async () => {
    const built = buildWakeEngines(config, log, current);
    for (const [id, old] of current) {
      if (built.get(id)?.engine !== old.engine) await old.engine.close().catch((err: unknown) => log.warn({ err, engine: id }, 'close failed'));
    }
    context.engines.wake.clear();
    for (const [id, { engine }] of built) context.engines.wake.set(id, engine);
    current = built;
    const models = [...built.values()].flatMap(({ engine }) => engine.models.map((m) => m.name));
    log.info({ engines: [...built.keys()], models }, models.length ? 'wake models installed' : 'no wake models installed');
    if (wakeRuntime(config).preload) {
      for (const [id, { engine }] of built) {
        engine.preload?.().catch((err: unknown) => log.error({ err, engine: id }, 'wake model preload failed'));
      }
    }
  };

  await scan();
  let rescan: Promise<void> = Promise.resolve();
  bus.on('models-changed', BUS_OWNER, () => {
    rescan = rescan.then(scan).catch((err: unknown) => log.error({ err }, 'wake model rescan failed'));
  });

  if (config.wake.enabled) {
    context.providerServices.push(
      createWakeService({ engines: context.engines.wake, defaultModel: config.wake.default_model, version: context.version, bus, log }),
    );
  }

  lifecycle.onStop('wake engines', async () => {
    bus.removeOwner(BUS_OWNER);
    await rescan;
    await Promise.all([...current.values()].map(({ engine }) => engine.close().catch((err: unknown) => log.warn({ err }, 'close failed'))));
    context.engines.wake.clear();
  });
}
