/**
 * Starts the speech-to-text part: finds installed ASR models (folders under models_dir plus
 * explicit config entries), registers one engine per model in `ctx.engines.asr` in preference
 * order, registers the Silero VAD factory in `ctx.engines.vad`, offers the Wyoming `asr` service,
 * rescans when models change, and unloads everything on stop.
 */
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { resolveRuntime } from '../config/runtime.js';
import type { RuntimeOverrides } from '../config/sections/common.js';
import type { DaemonContext } from './daemon-context.js';
import { createAsrService } from '../adapters/wyoming/provider-asr.js';
import type { SttVadSettings } from '../core/stt-session.js';
import type { AsrEngine } from '../engines/asr/asr.js';
import { detectAsrFolder, discoverAsrModels, makeSpec } from '../engines/asr/model-discovery.js';
import type { AsrFiles, AsrModelSpec } from '../engines/asr/model-spec.js';
import { effectiveProvider, sherpaHasCuda } from '../engines/runtime/sherpa-native.js';
import { SherpaOfflineEngine } from '../engines/asr/sherpa-offline/sherpa-offline.js';
import { SherpaOnlineEngine } from '../engines/asr/sherpa-online/sherpa-online.js';
import { VoskEngine, voskSampleRate } from '../engines/asr/vosk/vosk.js';
import { findSileroModel } from '../engines/vad/silero/silero-discovery.js';
import { SileroVadFactory } from '../engines/vad/silero/silero.js';
import type { EngineRuntimeOptions } from '../engines/types.js';
import type { SttModelEntry } from '../config/sections/stt.js';
import { errorMessage } from '../util/errors.js';
import { moduleLogger, type Logger } from '../util/logger.js';


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

/** Explicit entries first, then discovered folders not already named. */
export async function findAsrSpecs(config: Readonly<Config>, log: Logger): Promise<Array<{ spec: AsrModelSpec; overrides: RuntimeOverrides }>> {
  const out: Array<{ spec: AsrModelSpec; overrides: RuntimeOverrides }> = [];
  for (const entry of config.stt.models) {
    const spec = await specFromEntry(config, entry, log);
    if (spec && !out.some((o) => o.spec.name === spec.name)) out.push({ spec, overrides: entry });
  }
  if (config.stt.discover && config.models_dir) {
    for (const spec of await discoverAsrModels(config.models_dir)) {
      if (out.some((o) => o.spec.name === spec.name || o.spec.dir === spec.dir)) continue;
      out.push({ spec, overrides: {} });
    }
  }
  for (const o of out) if (o.spec.family === 'vosk') o.spec.sampleRate = await voskSampleRate(o.spec.dir);
  return out;
}

export function createAsrEngine(spec: AsrModelSpec, runtime: EngineRuntimeOptions, voskLibrary: string | null): AsrEngine {
  if (spec.family === 'streaming-transducer') return new SherpaOnlineEngine({ spec, runtime });
  if (spec.family === 'vosk') return new VoskEngine({ spec, runtime }, voskLibrary);
  return new SherpaOfflineEngine({ spec, runtime });
}

/** Builds the engines for every installed model, keyed by name in preference order. */
export async function buildAsrEngines(config: Readonly<Config>, log: Logger, reuse?: Map<string, { key: string; engine: AsrEngine }>) {
  const hasCuda = sherpaHasCuda();
  const built = new Map<string, { key: string; engine: AsrEngine; preload: boolean }>();
  for (const { spec, overrides } of await findAsrSpecs(config, log)) {
    const runtime = resolveRuntime(config, config.stt.runtime, overrides);
    runtime.provider = spec.family === 'vosk' ? 'cpu' : effectiveProvider(runtime.provider, hasCuda, (m) => log.warn({ model: spec.name }, m));
    const key = JSON.stringify([spec, runtime]);
    const previous = reuse?.get(spec.name);
    const engine = previous && previous.key === key ? previous.engine : createAsrEngine(spec, runtime, config.stt.vosk_library);
    built.set(spec.name, { key, engine, preload: runtime.preload });
  }
  return built;
}

/** The configured VAD thresholds: the factory's defaults and every STT session's settings. */
export function vadSettings(config: Readonly<Config>): SttVadSettings {
  return { threshold: config.vad.threshold, minSilenceSeconds: config.vad.min_silence_s, minSpeechSeconds: config.vad.min_speech_s };
}

export async function buildVadFactory(config: Readonly<Config>, log: Logger): Promise<SileroVadFactory | undefined> {
  const model = await findSileroModel(config.models_dir ?? '.', config.vad.model);
  if (!model) {
    log.info({ configured: config.vad.model }, 'no Silero VAD model installed: no endpointing or silence trimming');
    return undefined;
  }
  const runtime = resolveRuntime(config, config.vad.runtime);
  return new SileroVadFactory(path.basename(model, '.onnx'), model, vadSettings(config), runtime);
}

export async function startStt(context: DaemonContext): Promise<void> {
  const { config, bus, lifecycle } = context;
  const log = moduleLogger('stt', context.log);
  let current = new Map<string, { key: string; engine: AsrEngine }>();

  const scan = async () => {
    const built = await buildAsrEngines(config, log, current);
    for (const [name, old] of current) {
      if (built.get(name)?.engine !== old.engine) await old.engine.close().catch((err: unknown) => log.warn({ err, model: name }, 'close failed'));
    }
    context.engines.asr.clear();
    for (const [name, { engine, preload }] of built) {
      context.engines.asr.set(name, engine);
      if (preload && !current.has(name)) {
        engine.load?.().catch((err: unknown) => log.error({ err, model: name }, 'preload failed'));
      }
    }
    current = built;
    if (!context.engines.vad) context.engines.vad = await buildVadFactory(config, log);
    log.info({ models: [...built.keys()], vad: context.engines.vad?.name ?? null }, 'speech-to-text models');
  };

  await scan();
  if (config.vad.runtime.preload ?? config.engine.preload) {
    context.engines.vad?.load?.().catch((err: unknown) => log.error({ err }, 'vad preload failed'));
  }

  if (config.stt.enabled) {
    context.providerServices.push(
      createAsrService({
        engines: () => context.engines.asr,
        vad: () => context.engines.vad,
        settings: {
          defaultModel: config.stt.default_model,
          maxUtteranceSeconds: config.stt.max_utterance_s,
          streamingEvents: config.stt.streaming_events,
          endpointOnSilence: config.stt.endpoint_on_silence,
          trimSilence: config.stt.trim_silence,
          vad: vadSettings(config),
        },
        bus,
        log: moduleLogger('asr', context.log),
        version: context.version,
      }),
    );
  }

  let rescanning: Promise<void> = Promise.resolve();
  bus.on('models-changed', 'stt', () => {
    rescanning = rescanning.then(scan).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'model rescan failed'));
  });

  lifecycle.onStop('stt', async () => {
    bus.removeOwner('stt');
    await rescanning;
    await Promise.all([...context.engines.asr.values()].map((e) => e.close().catch(() => undefined)));
    await context.engines.vad?.close();
  });
}
