/**
 * The models part of the daemon. On start it compares the configured preset with models_dir and
 * says exactly what is missing and the one command that gets it; with `models.auto_pull` it then
 * pulls the missing models in the background (the daemon already serves) and announces each
 * install on the bus (`models-changed`), so the engine parts rescan and the service appears in
 * `info` without a restart. With no network it says so once and keeps serving.
 */
import path from 'node:path';
import type { DaemonContext } from './daemon-context.js';
import { convertPiperVoice, findEspeakDataIn, systemEspeakDataDir } from '../engines/tts/piper/piper-import.js';
import type { CatalogueEntry } from '../models/catalogue-schema.js';
import { managerFromConfig } from '../models/from-config.js';
import { describeFailure, type ModelManager } from '../models/manager.js';
import { LogProgress } from '../models/progress.js';
import { errorCode, SatelliteError } from '../util/errors.js';
import { moduleLogger, type Logger } from '../util/logger.js';
import type { Converter } from '../models/installer.js';
import { folderOf } from '../models/catalogue.js';
import type { PendingKind, PendingModel } from '../core/speech/speech-service.js';
import { phraseFromName, wakeWordName } from '../engines/wake/wake-names.js';

/** Error codes meaning "the publisher (or mirror) cannot be reached at all". */
const OFFLINE_CODES = new Set(['SAT_ERR_MODEL_OFFLINE', 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', 'SAT_ERR_MODEL_PROXY']);

/** Local conversion steps the installer may need (named here: they use engine backends). */
export function modelConverters(): Partial<Record<'piper', Converter>> {
  return { piper: convertDownloadedPiperVoice };
}

/**
 * A rhasspy Piper voice (.onnx + .onnx.json, verified against its pins) becomes a sherpa-onnx
 * voice folder in staging: metadata added to the model, tokens.txt written, espeak-ng-data
 * linked (the catalogue's espeak-ng-data model, pulled first, else the system's).
 */
async function convertDownloadedPiperVoice(stagingDir: string, entry: CatalogueEntry, modelsDir: string): Promise<void> {
  const onnx = entry.downloads.map((d) => d.path).find((p) => p?.endsWith('.onnx'));
  if (!onnx) throw new SatelliteError('SAT_ERR_MODEL_CONVERT', `${entry.id}: no .onnx download to convert`);
  const espeakDataDir = findEspeakDataIn(modelsDir) ?? (await systemEspeakDataDir());
  if (!espeakDataDir) {
    throw new SatelliteError('SAT_ERR_ESPEAK_DATA_MISSING', `${entry.id} needs espeak-ng data: pull espeak-ng-data or install espeak-ng`);
  }
  await convertPiperVoice(path.join(stagingDir, onnx), stagingDir, { name: path.basename(onnx, '.onnx'), espeakDataDir });
}

export function pullCommandFor(preset: string): string {
  return preset === 'defaults' ? 'satellite models pull --defaults' : `satellite models pull --preset ${preset}`;
}

export async function startModels(context: DaemonContext): Promise<void> {
  const log = moduleLogger('models', context.log);
  const settings = context.config.models;
  let manager: ModelManager;
  let wanted: CatalogueEntry[];
  let installedHook: (entry: CatalogueEntry) => void = () => undefined;
  try {
    manager = managerFromConfig(context.config, log, {
      progress: new LogProgress(log),
      converters: modelConverters(),
      onInstalled: (entry) => {
        log.info({ model: entry.id, kind: entry.kind }, 'model installed');
        installedHook(entry);
        context.bus.emit('models-changed', { kind: entry.kind });
      },
      onLicence: (entry) => log.warn({ model: entry.id, licence: entry.licence, flags: entry.flags }, `licence of ${entry.id}: ${entry.licence}`),
    });
    wanted = manager.plan([], [settings.preset]);
  } catch (err) {
    log.error({ err }, 'model catalogue unusable; serving with what is installed');
    return;
  }
  const absent = await manager.missing(wanted).catch((err: unknown) => {
    log.error({ err }, 'cannot read the models folder state');
    return [];
  });
  // The daemon runs one VAD: one installed under any folder name is not missing.
  const missing = absent.filter((entry) => !(entry.kind === 'vad' && context.speech.vad));
  if (!missing.length) return;
  const ids = missing.map((e) => e.id);
  const command = pullCommandFor(settings.preset);
  log.warn({ missing: ids, modelsDir: manager.modelsDir, command }, `models missing: ${ids.join(', ')}; get them with: ${command}`);
  if (!settings.auto_pull || settings.offline) return;

  // Listed as if installed while they download, so Home Assistant sets every service up at once.
  const pending = new Map(missing.map((e) => [e.id, e]));
  const announce = () => {
    const listed = pendingModels([...pending.values()]);
    for (const kind of ['asr', 'tts', 'wake'] as const) context.speech.setPending(kind, listed[kind]);
  };
  installedHook = (entry) => {
    pending.delete(entry.id);
    announce();
  };
  announce();
  const abort = new AbortController();
  const task = backgroundPull(manager, missing, command, log, abort.signal).finally(() => {
    // Whatever did not arrive (failed, offline) is not offered any more.
    pending.clear();
    announce();
  });
  context.lifecycle.onStop('model downloads', async () => {
    abort.abort();
    await task;
  });
}

async function backgroundPull(manager: ModelManager, missing: CatalogueEntry[], command: string, log: Logger, signal: AbortSignal): Promise<void> {
  log.info({ models: missing.map((e) => e.id) }, 'pulling missing models in the background');
  try {
    const reports = await manager.pull(missing, { signal, stopOn: (err) => OFFLINE_CODES.has(errorCode(err)) });
    const offline = reports.find((r) => r.error && OFFLINE_CODES.has(errorCode(r.error)));
    if (offline) {
      log.warn({ err: offline.error }, `no network: models cannot be downloaded now; serving with what is installed (run \`${command}\` later)`);
      return;
    }
    const failures = reports.filter((r) => r.outcome === 'failed');
    for (const report of failures) log.error({ err: report.error, model: report.id }, `model pull failed: ${describeFailure(report)}`);
    if (!failures.length) log.info('all missing models installed');
  } catch (err) {
    if (!signal.aborted) log.error({ err }, 'background model pull stopped');
  }
}

/**
 * The models a list of downloads will install, under the names the engines will give them: an
 * ASR model is named by its folder, a Piper voice by its .onnx file, an openWakeWord head by its
 * file's word. Keyword spotters are left out: their phrases come from files not read yet.
 */
export function pendingModels(entries: readonly CatalogueEntry[]): Record<PendingKind, PendingModel[]> {
  const out: Record<PendingKind, PendingModel[]> = { asr: [], tts: [], wake: [] };
  for (const entry of entries) {
    if (entry.role !== 'model') continue;
    const base = { description: entry.description || entry.id, languages: entry.languages.map((l) => l.split(/[-_]/)[0]!.toLowerCase()) };
    const files = entry.downloads.map((d) => d.path).filter((p): p is string => Boolean(p));
    if (entry.kind === 'asr') out.asr.push({ ...base, name: folderOf(entry) });
    else if (entry.kind === 'tts' && entry.backend === 'piper') {
      const onnx = files.find((f) => f.endsWith('.onnx'));
      if (onnx) out.tts.push({ ...base, languages: entry.languages, name: path.basename(onnx, '.onnx') });
    } else if (entry.kind === 'wake' && entry.backend === 'openwakeword') {
      for (const file of files.filter((f) => f.endsWith('.onnx'))) {
        const name = wakeWordName(file);
        out.wake.push({ ...base, name, phrase: phraseFromName(name) });
      }
    }
  }
  return out;
}
