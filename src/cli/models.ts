/** `satellite models list|pull|verify|remove|import-piper`. */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { importPiperVoice } from '../engines/tts/piper/piper-import.js';
import { recordImport } from '../models/record-import.js';
import { downloadSize, isPinned } from '../models/catalogue.js';
import type { CatalogueEntry } from '../models/catalogue-schema.js';
import { managerFromConfig } from '../models/from-config.js';
import { NO_NETWORK_CODES } from '../models/auto-pull.js';
import type { LockEntry } from '../models/lock-file.js';
import { describeFailure, type ModelManager, type ModelStatus, type PullReport } from '../models/manager.js';
import { formatBytes, progressFor } from '../models/progress.js';
import { errorCode, errorMessage } from '../util/errors.js';
import { redactUrlPasswords } from '../util/redact-url.js';
import { becomeOwner, ownerToRunAs } from '../service/run-as-owner.js';
import { cliCommand, modelConverters } from '../wiring/models.js';
import { loadFromArgs, loggerFor, sharedOptions, type GlobalArgs } from './options.js';

/** Which daemon part opens each backend's models. */
const ENGINE_OF: Record<string, string> = { vad: 'stt (VAD)', asr: 'stt', tts: 'tts', wake: 'wake' };

type PullArgs = GlobalArgs & { ids?: string[]; defaults?: boolean; preset?: string[]; force?: boolean };
type IdsArgs = GlobalArgs & { ids?: string[]; force?: boolean; json?: boolean; installed?: boolean };

function openManager(args: GlobalArgs): ModelManager {
  const loaded = loadFromArgs(args);
  // Root pulling into the service's models dir writes as the service user (the dir's owner).
  const owner = ownerToRunAs(loaded.config.models_dir!);
  if (owner) process.stderr.write(`${becomeOwner(owner)}\n`);
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

/** What `models list --help` says about the columns. */
const LIST_COLUMNS = [
  'Columns:',
  '  ENGINE  the daemon part that opens the model, and its backend',
  '  PIN     how the catalogue knows the SHA-256 digests every download is',
  '          checked against: A = from the publisher (git blob or Git LFS',
  "          pointer); A- = the publisher's checksum as quoted by others;",
  '          B = several independent third parties agree; C = one third party;',
  '          tofu = none published (the first download is trusted and its hash',
  '          recorded, so a different later download fails); local = imported',
  '          from a file of yours (models import-piper)',
  '  STATE   installed (pinned|tofu) = recorded in models.lock.json; present =',
  '          files in models_dir without a lock record; missing',
].join('\n');

async function list(args: IdsArgs): Promise<void> {
  const manager = openManager(args);
  const rows = (await manager.status()).filter((s) => !args.installed || s.state !== 'missing');
  // installed models the catalogue does not list: imported Piper voices
  const extra = await manager.uncatalogued();
  if (args.json) {
    process.stdout.write(`${JSON.stringify([...rows.map(statusJson), ...extra.map(uncataloguedJson)], null, 2)}\n`);
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
  for (const { id, lock } of extra) {
    table.push([id, lock.kind, `${ENGINE_OF[lock.kind] ?? lock.kind}: ${backendOf(lock)}`, formatBytes(lock.size), '?', isImported(lock) ? 'local' : 'tofu', `installed (${lock.trust})`]);
  }
  process.stdout.write(formatTable(table));
  process.stdout.write(`\npresets (${cliCommand()} models pull --preset NAME; --defaults = defaults):\n`);
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

function isImported(lock: LockEntry): boolean {
  return lock.source.startsWith('file:');
}

function backendOf(lock: LockEntry): string {
  const backend = lock.backend ?? '?';
  return isImported(lock) ? `${backend} (imported)` : backend;
}

function uncataloguedJson({ id, lock }: { id: string; lock: LockEntry }): Record<string, unknown> {
  return {
    id,
    kind: lock.kind,
    backend: lock.backend ?? null,
    engine: ENGINE_OF[lock.kind] ?? null,
    size: lock.size,
    licence: null,
    flags: [],
    languages: [],
    trust: lock.trust,
    state: 'installed',
    imported: isImported(lock) ? lock.source : null,
    installed: { trust: lock.trust, sha256: lock.sha256, files: Object.keys(lock.files).length, fetchedAt: lock.fetchedAt },
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
  // No network for one model means none for the next: stop at the first such answer.
  const reports = await manager.pull(plan, { force: args.force ?? false, stopOn: (err) => NO_NETWORK_STOP.has(errorCode(err)) });
  const stop = reports.findIndex((r) => r.outcome === 'failed' && NO_NETWORK_STOP.has(errorCode(r.error)));
  const notTried: string[] = [];
  for (const [i, r] of reports.entries()) {
    if (r.outcome === 'installed') process.stdout.write(`installed ${r.id}\n`);
    else if (r.outcome === 'present') process.stdout.write(`already installed ${r.id}\n`);
    else if (stop >= 0 && i > stop && r.outcome === 'skipped') notTried.push(r.id);
    else process.stderr.write(`failed ${redactUrlPasswords(describeFailure(r))}\n`);
  }
  if (stop >= 0) process.stderr.write(noNetworkHint(reports[stop]!, notTried));
  if (reports.some((r) => r.outcome === 'failed' || r.outcome === 'skipped')) process.exitCode = 1;
}

/** Answers that mean no model can be fetched now (a timeout is not an answer: other files may still come). */
const NO_NETWORK_STOP: ReadonlySet<string> = new Set([...NO_NETWORK_CODES].filter((c) => c !== 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT'));

function noNetworkHint(failure: PullReport, notTried: readonly string[]): string {
  const lines = [notTried.length ? `not tried (no network): ${notTried.join(', ')}` : ''];
  if (errorCode(failure.error) === 'SAT_ERR_MODEL_PROXY') {
    lines.push('the proxy cannot be reached: check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY), then pull again');
  } else {
    lines.push(
      'no network: the download server cannot be reached from this machine. Then:',
      '  - behind a proxy? set HTTPS_PROXY (e.g. HTTPS_PROXY=http://proxy.lan:3128; NO_PROXY for hosts to reach directly)',
      '  - a LAN mirror or cache? set models.mirrors in the config (URL prefix -> your mirror; HF_ENDPOINT for Hugging Face)',
      '  - or pull again once the network is up (a download that broke off resumes)',
    );
  }
  return `${lines.filter(Boolean).join('\n')}\n`;
}

async function verify(args: IdsArgs): Promise<void> {
  const manager = openManager(args);
  const results = await manager.verify(args.ids ?? []);
  if (!results.length) process.stdout.write(`no models installed in ${manager.modelsDir}\n`);
  for (const r of results) {
    if (r.problems.length) {
      process.stdout.write(`FAILED ${r.id}: file modified or missing: ${r.problems.join('; ')}\n  reinstall: ${cliCommand()} models pull --force ${r.id}\n`);
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
    sharedOptions(y)
      .command<IdsArgs>({
        command: 'list',
        describe: 'the catalogue and what is installed: sizes, licences, which engine uses each, pin grade',
        builder: (b) =>
          b
            .option('installed', { type: 'boolean', describe: 'only installed models (imported voices included)' })
            .option('json', { type: 'boolean', describe: 'JSON instead of a table' })
            .epilogue(LIST_COLUMNS) as never,
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
