/** `satellite models list|pull|verify|remove|import-piper`. */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { importPiperVoice } from '../engines/tts/piper/piper-import.js';
import { recordImport } from '../models/record-import.js';
import { downloadSize, isPinned } from '../models/catalogue.js';
import type { CatalogueEntry } from '../models/catalogue-schema.js';
import { managerFromConfig } from '../models/from-config.js';
import { describeFailure, type ModelManager, type ModelStatus } from '../models/manager.js';
import { formatBytes, progressFor } from '../models/progress.js';
import { errorCode, errorMessage } from '../util/errors.js';
import { redactUrlPasswords } from '../util/redact-url.js';
import { modelConverters } from '../wiring/models.js';
import { globalOptions, loadFromArgs, loggerFor, type GlobalArgs } from './options.js';

/** Which daemon part opens each backend's models. */
const ENGINE_OF: Record<string, string> = { vad: 'stt (VAD)', asr: 'stt', tts: 'tts', wake: 'wake' };

type PullArgs = GlobalArgs & { ids?: string[]; defaults?: boolean; preset?: string[]; force?: boolean };
type IdsArgs = GlobalArgs & { ids?: string[]; force?: boolean; json?: boolean; installed?: boolean };

function openManager(args: GlobalArgs): ModelManager {
  const loaded = loadFromArgs(args);
  const log = loggerFor(loaded);
  return managerFromConfig(loaded.config, log, {
    progress: progressFor(process.stderr, log),
    converters: modelConverters(),
    onLicence: (entry) => process.stderr.write(licenceNotice(entry)),
    onWait: (entry) => process.stderr.write(`${entry.id}: another pull of this model is running; waiting for it\n`),
  });
}

export function licenceNotice(entry: CatalogueEntry): string {
  const flags = entry.flags.length ? ` [${entry.flags.join(', ')}]` : '';
  return `licence of ${entry.id}: ${entry.licence}${flags}\n  check that your use is allowed before relying on it\n`;
}

function fail(err: unknown): void {
  process.stderr.write(`error: ${redactUrlPasswords(errorMessage(err))} [${errorCode(err)}]\n`);
  process.exitCode = 1;
}

async function list(args: IdsArgs): Promise<void> {
  const manager = openManager(args);
  const rows = (await manager.status()).filter((s) => !args.installed || s.state !== 'missing');
  if (args.json) {
    process.stdout.write(`${JSON.stringify(rows.map(statusJson), null, 2)}\n`);
    return;
  }
  const table = [['ID', 'KIND', 'ENGINE', 'SIZE', 'LICENCE', 'PIN', 'STATE']];
  for (const s of rows) {
    const size = downloadSize(s.entry);
    table.push([
      s.entry.id,
      s.entry.kind,
      `${ENGINE_OF[s.entry.kind]}: ${s.entry.backend}`,
      size ? formatBytes(size) : '?',
      licenceLabel(s.entry),
      isPinned(s.entry) ? grade(s.entry) : 'tofu',
      s.state === 'installed' ? `installed (${s.lock!.trust})` : s.state,
    ]);
  }
  process.stdout.write(formatTable(table));
  process.stdout.write('\npresets (satellite models pull --preset NAME; --defaults = defaults):\n');
  for (const [name, preset] of manager.catalogue.presets) process.stdout.write(`  ${name.padEnd(14)} ${preset.description}\n`);
}

function licenceLabel(entry: CatalogueEntry): string {
  const short = entry.licence.split(' (')[0]!;
  const tags = entry.flags.filter((f) => f === 'non-commercial' || f === 'restricted');
  return tags.length ? `${short} [${tags.join(', ')}]` : short;
}

function grade(entry: CatalogueEntry): string {
  const grades = entry.downloads.map((d) => d.grade ?? '?');
  return [...new Set(grades)].join('/');
}

function statusJson(s: ModelStatus): Record<string, unknown> {
  const e = s.entry;
  return {
    id: e.id,
    kind: e.kind,
    backend: e.backend,
    engine: ENGINE_OF[e.kind],
    size: downloadSize(e) ?? null,
    licence: e.licence,
    flags: e.flags,
    languages: e.languages,
    trust: isPinned(e) ? 'pinned' : 'tofu',
    state: s.state,
    installed: s.lock ? { trust: s.lock.trust, sha256: s.lock.sha256, files: Object.keys(s.lock.files).length, fetchedAt: s.lock.fetchedAt } : null,
  };
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`).join('');
}

async function pull(args: PullArgs): Promise<void> {
  const presets = [...(args.defaults ? ['defaults'] : []), ...(args.preset ?? [])];
  const ids = args.ids ?? [];
  if (!ids.length && !presets.length) throw new Error('name models to pull, or use --defaults / --preset NAME');
  const manager = openManager(args);
  const plan = manager.plan(ids, presets);
  process.stderr.write(`pulling into ${manager.modelsDir}: ${plan.map((e) => e.id).join(', ')}\n`);
  const reports = await manager.pull(plan, { force: args.force ?? false });
  for (const r of reports) {
    if (r.outcome === 'installed') process.stdout.write(`installed ${r.id}\n`);
    else if (r.outcome === 'present') process.stdout.write(`already installed ${r.id}\n`);
    else process.stderr.write(`failed ${redactUrlPasswords(describeFailure(r))}\n`);
  }
  if (reports.some((r) => r.outcome === 'failed' || r.outcome === 'skipped')) process.exitCode = 1;
}

async function verify(args: IdsArgs): Promise<void> {
  const manager = openManager(args);
  const results = await manager.verify(args.ids ?? []);
  if (!results.length) process.stdout.write(`no models installed in ${manager.modelsDir}\n`);
  for (const r of results) {
    if (r.problems.length) {
      process.stdout.write(`FAILED ${r.id}: file modified or missing: ${r.problems.join('; ')}\n  reinstall: satellite models pull --force ${r.id}\n`);
      process.exitCode = 1;
    } else process.stdout.write(`ok ${r.id}\n`);
  }
}

async function remove(args: IdsArgs): Promise<void> {
  const manager = openManager(args);
  for (const id of await manager.remove(args.ids ?? [], { force: args.force ?? false })) process.stdout.write(`removed ${id}\n`);
}

type ImportArgs = GlobalArgs & { voice: string; 'voice-name'?: string; json?: string; overwrite?: boolean };

/** wyoming-piper voices (VOICE.onnx + VOICE.onnx.json) become sherpa-onnx voices, recorded in the lock (trust on first use). */
async function importPiper(args: ImportArgs): Promise<void> {
  const manager = openManager(args);
  const result = await importPiperVoice(path.resolve(args.voice), manager.modelsDir, {
    name: args['voice-name'],
    configPath: args.json,
    overwrite: args.overwrite ?? false,
  });
  await recordImport(manager.modelsDir, path.resolve(args.voice), result.name);
  process.stdout.write(`imported voice ${result.name} into ${result.dir}\n`);
  if (result.skippedSymbols.length) process.stderr.write(`note: ${result.skippedSymbols.length} multi-character phoneme symbols were left out of tokens.txt\n`);
}

function run<A>(fn: (args: A) => Promise<void>): (args: A) => Promise<void> {
  return (args) => fn(args).catch(fail);
}

export const modelsCommand: CommandModule<object, GlobalArgs> = {
  command: 'models <action>',
  describe: 'list, pull, verify and remove models (catalogue: config/models.yml)',
  builder: (y: Argv<object>) =>
    globalOptions(y)
      .command<IdsArgs>({
        command: 'list',
        describe: 'the catalogue and what is installed: sizes, licences, which engine uses each',
        builder: (b) =>
          b
            .option('installed', { type: 'boolean', describe: 'only installed models' })
            .option('json', { type: 'boolean', describe: 'JSON instead of a table' }) as never,
        handler: run(list),
      })
      .command<PullArgs>({
        command: 'pull [ids..]',
        describe: 'download, verify (SHA-256) and install models by name',
        builder: (b) =>
          b
            .positional('ids', { type: 'string', array: true, describe: 'catalogue ids' })
            .option('defaults', { type: 'boolean', describe: 'the recommended default set' })
            .option('preset', { type: 'string', array: true, describe: 'a catalogue preset: defaults, small, licence-clean' })
            .option('force', { type: 'boolean', describe: 'reinstall even when installed or modified' }) as never,
        handler: run(pull),
      })
      .command<IdsArgs>({
        command: 'verify [ids..]',
        describe: 'check installed files against the hashes in models.lock.json (exit 1 on any difference)',
        builder: (b) => b.positional('ids', { type: 'string', array: true }) as never,
        handler: run(verify),
      })
      .command<IdsArgs>({
        command: 'remove <ids..>',
        describe: 'delete installed models',
        builder: (b) =>
          b
            .positional('ids', { type: 'string', array: true })
            .option('force', { type: 'boolean', describe: 'also when another installed model needs it' }) as never,
        handler: run(remove),
      })
      .command<ImportArgs>({
        command: 'import-piper <voice>',
        describe: 'install a Piper voice you already have (e.g. from wyoming-piper): VOICE.onnx with VOICE.onnx.json beside it',
        builder: (b) =>
          b
            .positional('voice', { type: 'string', demandOption: true, describe: 'path to VOICE.onnx' })
            .option('voice-name', { type: 'string', describe: 'voice and folder name (default: the file name)' })
            .option('json', { type: 'string', describe: 'the voice config, if not VOICE.onnx.json' })
            .option('overwrite', { type: 'boolean', describe: 'replace an installed voice of the same name' }) as never,
        handler: run(importPiper),
      })
      .demandCommand(1),
  handler: () => undefined,
};
