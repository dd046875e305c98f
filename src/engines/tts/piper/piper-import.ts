/**
 * Turns a Piper voice as Home Assistant users have it from wyoming-piper (`voice.onnx` +
 * `voice.onnx.json`) into a folder sherpa-onnx loads: a copy of the model with the metadata
 * sherpa's VITS loader reads (written into the ONNX `metadata_props`), `tokens.txt` from the
 * JSON's phoneme map, the JSON itself, and an `espeak-ng-data` link. `importPiperVoice` installs
 * the result under `models_dir` atomically; `convertPiperVoice` is the conversion step alone
 * (the model installer runs it on a freshly downloaded voice).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SatelliteError } from '../../../util/errors.js';
import { writeOnnxMetadata } from '../onnx-metadata.js';
import { readPiperVoice, type PiperVoiceSpec } from './piper-engine.js';
import { isDir } from '../../../util/file-kind.js';
import { badModel, ESPEAK_DATA_FILES } from '../voice-folder.js';

const execFileAsync = promisify(execFile);
const ESPEAK_DATA = 'espeak-ng-data';
const VERSION_TIMEOUT_MS = 5_000;

export interface PiperImportOptions {
  /** Voice and folder name; default: the model file name without `.onnx`. */
  name?: string | undefined;
  /** The voice's JSON; default: `<model>.onnx.json` beside the model. */
  configPath?: string | undefined;
  /** espeak-ng data to link; default: one under models_dir, else the system's. */
  espeakDataDir?: string | undefined;
  /** Replace an installed voice of the same name. */
  overwrite?: boolean | undefined;
}

export interface PiperImportResult {
  name: string;
  dir: string;
  voice: PiperVoiceSpec;
  /** Phoneme map symbols left out of tokens.txt (sherpa reads one character per symbol). */
  skippedSymbols: string[];
}

interface PiperVoiceJson {
  audio: { sample_rate: number };
  espeak: { voice: string };
  phoneme_id_map: Record<string, number[]>;
  num_speakers: number;
  language?: { code?: string; name_english?: string };
}

function parseVoiceJson(text: string, file: string): PiperVoiceJson {
  let json: Partial<PiperVoiceJson>;
  try {
    json = JSON.parse(text) as Partial<PiperVoiceJson>;
  } catch (err) {
    throw badModel(`${file} is not valid JSON`, err);
  }
  const problems: string[] = [];
  if (!Number.isInteger(json.audio?.sample_rate)) problems.push('audio.sample_rate');
  if (typeof json.espeak?.voice !== 'string') problems.push('espeak.voice');
  if (typeof json.phoneme_id_map !== 'object' || json.phoneme_id_map === null) problems.push('phoneme_id_map');
  if (json.num_speakers !== undefined && !Number.isInteger(json.num_speakers)) problems.push('num_speakers');
  if (problems.length) throw badModel(`${file} is not a Piper voice config (missing or bad: ${problems.join(', ')})`);
  return { ...(json as PiperVoiceJson), num_speakers: json.num_speakers ?? 1 };
}

/** The metadata sherpa-onnx's VITS loader needs for a Piper voice. */
export function piperMetadata(json: PiperVoiceJson): Record<string, string | number> {
  return {
    model_type: 'vits',
    comment: 'piper',
    language: json.language?.name_english ?? json.language?.code ?? json.espeak.voice,
    voice: json.espeak.voice,
    has_espeak: 1,
    n_speakers: json.num_speakers,
    sample_rate: json.audio.sample_rate,
  };
}

/** tokens.txt from the phoneme map: `SYMBOL ID` per line, the first id of each symbol. */
export function piperTokens(json: PiperVoiceJson): { text: string; skipped: string[] } {
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const [symbol, ids] of Object.entries(json.phoneme_id_map)) {
    const id = Array.isArray(ids) ? ids[0] : undefined;
    const single = [...symbol].length === 1 && (symbol === ' ' || !/\s/.test(symbol));
    if (!single || !Number.isInteger(id)) {
      skipped.push(symbol);
      continue;
    }
    lines.push(`${symbol} ${id}`);
  }
  return { text: `${lines.join('\n')}\n`, skipped };
}

function isEspeakData(dir: string): boolean {
  return isDir(dir) && ESPEAK_DATA_FILES.every((f) => existsSync(path.join(dir, f)));
}

/** espeak-ng data installed under models_dir (`espeak-ng-data/`, possibly one level deeper). */
export function findEspeakDataIn(modelsDir: string): string | null {
  const top = path.join(modelsDir, ESPEAK_DATA);
  if (isEspeakData(top)) return top;
  const nested = path.join(top, ESPEAK_DATA);
  return isEspeakData(nested) ? nested : null;
}

/** Where the system's espeak-ng keeps its data (`espeak-ng --version` says), or null. */
export async function systemEspeakDataDir(program = 'espeak-ng'): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(program, ['--version'], { timeout: VERSION_TIMEOUT_MS, encoding: 'utf8' });
    const dir = /Data at:\s*(\S+)/.exec(stdout)?.[1];
    return dir && isEspeakData(dir) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Writes a sherpa-ready voice into `targetDir` (which may be the model's own folder): the model
 * with metadata as `<name>.onnx`, `<name>.onnx.json`, `tokens.txt` and an `espeak-ng-data` link.
 */
export async function convertPiperVoice(
  onnxPath: string,
  targetDir: string,
  options: { name?: string | undefined; configPath?: string | undefined; espeakDataDir?: string | null | undefined } = {},
): Promise<{ name: string; skippedSymbols: string[] }> {
  const configPath = options.configPath ?? `${onnxPath}.json`;
  const configText = await readFile(configPath, 'utf8').catch((err: unknown) => {
    throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `Piper voice config not found: ${configPath}`, { cause: err });
  });
  const json = parseVoiceJson(configText, configPath);
  const tokens = piperTokens(json);
  const name = options.name ?? path.basename(onnxPath, '.onnx');
  await mkdir(targetDir, { recursive: true });
  const model = path.join(targetDir, `${name}.onnx`);
  const staged = `${model}.partial`;
  await writeOnnxMetadata(onnxPath, staged, piperMetadata(json));
  await rename(staged, model);
  const targetJson = `${model}.json`;
  if (path.resolve(configPath) !== path.resolve(targetJson)) await copyFile(configPath, targetJson);
  await writeFile(path.join(targetDir, 'tokens.txt'), tokens.text);
  const link = path.join(targetDir, ESPEAK_DATA);
  if (options.espeakDataDir && !existsSync(link)) await symlink(path.resolve(options.espeakDataDir), link, 'dir');
  return { name, skippedSymbols: tokens.skipped };
}

/**
 * Installs a wyoming-piper voice (`VOICE.onnx` + `VOICE.onnx.json`) as `<models_dir>/<name>/`,
 * checked to load before it replaces anything. Throws SAT_ERR_MODEL_EXISTS when the voice is
 * installed already (unless `overwrite`), SAT_ERR_MODEL_INVALID for a file that is not a Piper voice.
 */
export async function importPiperVoice(onnxPath: string, modelsDir: string, options: PiperImportOptions = {}): Promise<PiperImportResult> {
  if (!existsSync(onnxPath)) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `no such file: ${onnxPath}`);
  const name = options.name ?? path.basename(onnxPath, '.onnx');
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new SatelliteError('SAT_ERR_BAD_MODEL_NAME', `unusable voice name "${name}"`);
  const dir = path.join(modelsDir, name);
  if (existsSync(dir) && !options.overwrite) {
    throw new SatelliteError('SAT_ERR_MODEL_EXISTS', `a model named "${name}" is installed already (${dir}); pass overwrite to replace it`);
  }
  const espeakDataDir = options.espeakDataDir ?? findEspeakDataIn(modelsDir) ?? (await systemEspeakDataDir());
  if (!espeakDataDir) throw new SatelliteError('SAT_ERR_ESPEAK_DATA_MISSING', 'no espeak-ng data found: install espeak-ng or pull the espeak-ng-data model');
  await mkdir(modelsDir, { recursive: true });
  const staging = path.join(modelsDir, `.import-${name}-${process.pid}-${Date.now()}`);
  try {
    const { skippedSymbols } = await convertPiperVoice(onnxPath, staging, { name, configPath: options.configPath, espeakDataDir });
    await readPiperVoice({ model: path.join(staging, `${name}.onnx`), tokens: path.join(staging, 'tokens.txt'), dataDir: path.join(staging, ESPEAK_DATA) });
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    const voice = await readPiperVoice({
      name,
      model: path.join(dir, `${name}.onnx`),
      tokens: path.join(dir, 'tokens.txt'),
      dataDir: path.join(dir, ESPEAK_DATA),
      config: path.join(dir, `${name}.onnx.json`),
    });
    return { name, dir, voice, skippedSymbols };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
