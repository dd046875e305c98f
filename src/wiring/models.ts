/**
 * The models part of the daemon. On start it compares the configured preset with models_dir and
 * says exactly what is missing and the one command that gets it; with `models.auto_pull` it then
 * pulls the missing models in the background (the daemon already serves) and announces each
 * install on the bus (`models-changed`), so the engine parts rescan and the service appears in
 * `info` without a restart. With no network it says so once per outage, keeps serving, and tries
 * again after a capped backoff or when the network changes (models/auto-pull.ts).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonContext } from './daemon-context.js';
import { convertPiperVoice, findEspeakDataIn, systemEspeakDataDir } from '../engines/tts/piper/piper-import.js';
import type { CatalogueEntry } from '../models/catalogue-schema.js';
import { managerFromConfig } from '../models/from-config.js';
import type { ModelManager } from '../models/manager.js';
import { autoPull } from '../models/auto-pull.js';
import { LogProgress } from '../models/progress.js';
import { SatelliteError } from '../util/errors.js';
import { moduleLogger } from '../util/logger.js';
import type { Converter } from '../models/installer.js';
import { folderOf } from '../models/catalogue.js';
import type { PendingKind, PendingModel } from '../core/speech/speech-service.js';
import { phraseFromName, wakeWordName } from '../engines/wake/wake-names.js';

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
  const cli = cliCommand();
  return preset === 'defaults' ? `${cli} models pull --defaults` : `${cli} models pull --preset ${preset}`;
}

/** The built CLI (dist/src/cli.js beside this module's folder). */
const CLI_SCRIPT = fileURLToPath(new URL('../cli.js', import.meta.url));

/**
 * How a person at this machine can run the CLI: `satellite` when it is on PATH (npm link, a global
 * install), `npx satellite` inside the project folder (npx finds the project's own bin there, but
 * elsewhere would fetch an unrelated package of that name), else node with the CLI's full path.
 */
export function cliCommand(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (onPath('satellite', env)) return 'satellite';
  const root = packageRoot(path.dirname(CLI_SCRIPT));
  const here = path.resolve(cwd);
  if (root && (here === root || here.startsWith(`${root}${path.sep}`))) return 'npx satellite';
  return `node ${/\s/.test(CLI_SCRIPT) ? JSON.stringify(CLI_SCRIPT) : CLI_SCRIPT}`;
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The folder holding this project's package.json, looking up from `dir`. */
function packageRoot(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, 'package.json'))) return at;
    if (path.dirname(at) === at) return undefined;
  }
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
  log.info({ models: ids }, 'pulling missing models in the background');
  const task = autoPull({
    manager,
    entries: missing,
    log,
    signal: abort.signal,
    command,
    // the downloads' own backoff (retry_base_ms doubled per retry) goes on between rounds, capped
    firstDelayMs: settings.retry_base_ms * 2 ** settings.retries,
    // A model given up for good is not offered any more; one waiting for the network stays listed,
    // so Home Assistant keeps its entities through an outage.
    onGivenUp: (given) => {
      for (const id of given) pending.delete(id);
      announce();
    },
  })
    .then(() => undefined)
    .catch((err: unknown) => {
      if (!abort.signal.aborted) log.error({ err }, 'background model pull stopped');
    })
    .finally(() => {
      // Retrying has stopped for good (done, given up, or shutdown): whatever did not arrive is not offered any more.
      pending.clear();
      announce();
    });
  context.lifecycle.onStop('model downloads', async () => {
    abort.abort();
    await task;
  });
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
