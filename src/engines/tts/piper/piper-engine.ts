/**
 * Piper voices through sherpa-onnx's VITS support. A voice folder holds the model `.onnx` with
 * sherpa metadata (`comment` = piper, `sample_rate`, `n_speakers`, `language`, `voice`), a
 * `tokens.txt`, an `espeak-ng-data/` folder and, usually, the voice's `.onnx.json`, which gives
 * the language code and speaker names. A multi-speaker voice is one voice with named speakers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineRuntimeOptions } from '../../types.js';
import type { Logger } from '../../../util/logger.js';
import { SatelliteError } from '../../../util/errors.js';
import { readOnnxMetadata } from '../../runtime/onnx-file.js';
import { SherpaTts, SherpaTtsEngine } from '../sherpa-tts.js';
import type { TtsRequest, TtsVoiceInfo } from '../tts.js';
import { isFile } from '../../../util/file-kind.js';
import { badModel, checkEspeakData, languageTag, metaInt, metaString, readTokens } from '../voice-folder.js';

export const PIPER_ATTRIBUTION = { name: 'rhasspy', url: 'https://github.com/rhasspy/piper' };
/** Symbols sherpa's Piper frontend looks up unconditionally (pad, start, end). */
const PIPER_REQUIRED_TOKENS = ['_', '^', '$'];

export interface PiperVoiceFiles {
  name?: string | undefined;
  model: string;
  tokens: string;
  dataDir: string;
  /** The voice's `.onnx.json`, when present. */
  config?: string | undefined;
}

export interface PiperVoiceSpec extends Required<Omit<PiperVoiceFiles, 'config' | 'name'>> {
  name: string;
  sampleRate: number;
  speakers: string[] | null;
  languages: string[];
  description: string;
}

/**
 * Finds the files of a Piper voice folder, or returns null when the folder is not one. A folder
 * without its own `espeak-ng-data/` uses `sharedDataDir` (the one under models_dir or the
 * system's).
 */
export function findPiperFiles(dir: string, sharedDataDir: string | null = null): PiperVoiceFiles | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const model = names.filter((n) => n.endsWith('.onnx')).sort()[0];
  if (!model || !isFile(path.join(dir, 'tokens.txt')) || names.includes('voices.bin')) return null;
  const dataDir = names.includes('espeak-ng-data') ? path.join(dir, 'espeak-ng-data') : sharedDataDir;
  if (!dataDir) return null;
  const config = path.join(dir, `${model}.json`);
  return {
    model: path.join(dir, model),
    tokens: path.join(dir, 'tokens.txt'),
    dataDir,
    config: isFile(config) ? config : undefined,
  };
}

/** A wyoming-piper voice that still needs `satellite models import-piper` (no tokens.txt). */
export function isRawPiperVoice(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    return !names.includes('tokens.txt') && names.some((n) => n.endsWith('.onnx') && names.includes(`${n}.json`));
  } catch {
    return false;
  }
}

interface PiperJson {
  language?: { code?: string; name_english?: string };
  speaker_id_map?: Record<string, number>;
  dataset?: string;
  audio?: { quality?: string };
}

function readPiperJson(file: string | undefined): PiperJson {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PiperJson;
  } catch (err) {
    throw badModel(`${file} is not valid JSON`, err);
  }
}

/** Speaker names ordered by id, from the `.onnx.json` map or numbered. */
function speakerNames(count: number, map: Record<string, number> | undefined): string[] | null {
  if (count <= 1) return null;
  const names: string[] = Array.from({ length: count }, (_, i) => `speaker-${i}`);
  for (const [name, id] of Object.entries(map ?? {})) if (id >= 0 && id < count) names[id] = name;
  return names;
}

/** Checks a Piper voice and reads what `info` needs, without loading the model. */
export async function readPiperVoice(files: PiperVoiceFiles): Promise<PiperVoiceSpec> {
  if (!isFile(files.model)) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `Piper model not found: ${files.model}`);
  const meta = await readOnnxMetadata(files.model);
  const comment = meta['comment'] ?? '';
  if (!comment.includes('piper')) {
    throw badModel(`${files.model} is not a Piper voice for sherpa-onnx (metadata comment "${comment}"); import it with "satellite models import-piper"`);
  }
  const sampleRate = metaInt(meta, 'sample_rate', files.model);
  const speakerCount = metaInt(meta, 'n_speakers', files.model);
  metaString(meta, 'language', files.model);
  const tokens = await readTokens(files.tokens);
  const missing = PIPER_REQUIRED_TOKENS.filter((t) => !tokens.has(t));
  if (missing.length) throw badModel(`${files.tokens} lacks the Piper symbols ${missing.join(' ')}`);
  checkEspeakData(files.dataDir);
  const json = readPiperJson(files.config);
  const base = path.basename(files.model, '.onnx');
  const language = json.language?.code ?? languageTag(meta['voice'] ?? 'en-us');
  return {
    name: files.name ?? base,
    model: files.model,
    tokens: files.tokens,
    dataDir: files.dataDir,
    sampleRate,
    speakers: speakerNames(speakerCount, json.speaker_id_map),
    languages: [language],
    description: `Piper ${base} (${json.language?.name_english ?? meta['language']})`,
  };
}

export class PiperEngine extends SherpaTtsEngine {
  readonly voices: TtsVoiceInfo[];
  readonly #spec: PiperVoiceSpec;

  constructor(spec: PiperVoiceSpec, runtime: EngineRuntimeOptions, log: Logger) {
    super(
      new SherpaTts({
        name: spec.name,
        model: { vits: { model: spec.model, tokens: spec.tokens, dataDir: spec.dataDir } },
        runtime,
        log,
      }),
    );
    this.#spec = spec;
    this.voices = [
      {
        name: spec.name,
        description: spec.description,
        languages: spec.languages,
        version: null,
        attribution: PIPER_ATTRIBUTION,
        backend: 'piper',
        sampleRate: spec.sampleRate,
        speakers: spec.speakers,
      },
    ];
  }

  protected speakerId({ speaker }: TtsRequest): number {
    const speakers = this.#spec.speakers;
    if (!speaker || !speakers) return 0;
    const byName = speakers.indexOf(speaker);
    if (byName >= 0) return byName;
    throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_SPEAKER', `voice ${this.#spec.name} has no speaker "${speaker}" (has ${speakers.join(', ')})`);
  }
}
