/**
 * Kokoro through sherpa-onnx: a folder with `model.onnx` (or `model.int8.onnx`), `voices.bin`
 * (one style table per speaker), `tokens.txt` and `espeak-ng-data/`; multi-language releases
 * (metadata version ≥ 2) also carry `lexicon-*.txt` files and a `dict/` folder. Every speaker is
 * offered as its own named voice (`af_heart`, `bm_george`, …); the first letter of a Kokoro
 * speaker name is its language.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EngineRuntimeOptions } from '../../types.js';
import type { Logger } from '../../../util/logger.js';
import { SatelliteError } from '../../../util/errors.js';
import { readOnnxMetadata } from '../../runtime/onnx-file.js';
import { SherpaTts, SherpaTtsEngine } from '../sherpa-tts.js';
import type { TtsRequest, TtsVoiceInfo } from '../tts.js';
import { isDir, isFile } from '../../../util/file-kind.js';
import { badModel, checkEspeakData, metaInt, metaString, readTokens } from '../voice-folder.js';

export const KOKORO_ATTRIBUTION = { name: 'hexgrad', url: 'https://huggingface.co/hexgrad/Kokoro-82M' };
const FLOAT_BYTES = 4;
/** Metadata version from which sherpa needs a lexicon and a dict folder. */
const MULTI_LANG_VERSION = 2;

/** Kokoro's speaker-name prefix letter → language tag. */
const KOKORO_LANGUAGES: Record<string, string> = {
  a: 'en_US',
  b: 'en_GB',
  e: 'es',
  f: 'fr',
  h: 'hi',
  i: 'it',
  j: 'ja',
  p: 'pt_BR',
  z: 'zh',
};

export interface KokoroFiles {
  name: string;
  model: string;
  voices: string;
  tokens: string;
  dataDir: string;
  lexicon?: string | undefined;
  dictDir?: string | undefined;
}

export interface KokoroSpec extends KokoroFiles {
  sampleRate: number;
  speakers: string[];
}

/** Finds the files of a Kokoro folder, or returns null when the folder is not one. */
export function findKokoroFiles(dir: string, sharedDataDir: string | null = null): KokoroFiles | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  if (!names.includes('voices.bin') || !names.includes('tokens.txt')) return null;
  const dataDir = names.includes('espeak-ng-data') ? path.join(dir, 'espeak-ng-data') : sharedDataDir;
  if (!dataDir) return null;
  const model = ['model.onnx', 'model.int8.onnx'].find((m) => names.includes(m)) ?? names.filter((n) => n.endsWith('.onnx')).sort()[0];
  if (!model) return null;
  const lexicons = names.filter((n) => /^lexicon.*\.txt$/.test(n)).sort();
  return {
    name: path.basename(dir),
    model: path.join(dir, model),
    voices: path.join(dir, 'voices.bin'),
    tokens: path.join(dir, 'tokens.txt'),
    dataDir,
    lexicon: lexicons.length ? lexicons.map((l) => path.join(dir, l)).join(',') : undefined,
    dictDir: isDir(path.join(dir, 'dict')) ? path.join(dir, 'dict') : undefined,
  };
}

function parseStyleDim(raw: string, file: string): [number, number, number] {
  const dims = raw.split(',').map((d) => Number(d.trim()));
  if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d <= 0) || dims[1] !== 1) {
    throw badModel(`${file}: metadata "style_dim" must be "ROWS,1,DIM", got "${raw}"`);
  }
  return dims as [number, number, number];
}

/** Checks a Kokoro folder and reads its speakers, without loading the model. */
export async function readKokoro(files: KokoroFiles): Promise<KokoroSpec> {
  if (!isFile(files.model)) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `Kokoro model not found: ${files.model}`);
  const meta = await readOnnxMetadata(files.model);
  const sampleRate = metaInt(meta, 'sample_rate', files.model);
  const count = metaInt(meta, 'n_speakers', files.model);
  metaInt(meta, 'has_espeak', files.model);
  const [rows, , dim] = parseStyleDim(metaString(meta, 'style_dim', files.model), files.model);
  let voicesBytes: number;
  try {
    voicesBytes = statSync(files.voices).size;
  } catch (err) {
    throw badModel(`Kokoro voices file not found: ${files.voices}`, err);
  }
  const expected = rows * dim * count * FLOAT_BYTES;
  if (voicesBytes !== expected) throw badModel(`${files.voices} has ${voicesBytes} bytes; the model needs ${expected} (${count} speakers)`);
  const version = meta['version'] === undefined ? 1 : Number(meta['version']);
  if (version >= MULTI_LANG_VERSION && (!files.lexicon || !files.dictDir)) {
    throw badModel(`${files.model} is a multi-language Kokoro model: its folder needs lexicon-*.txt files and a dict/ folder`);
  }
  await readTokens(files.tokens);
  checkEspeakData(files.dataDir);
  const named = (meta['speaker_names'] ?? '').split(',').map((s) => s.trim());
  const speakers = Array.from({ length: count }, (_, i) => named[i] || `speaker-${i}`);
  return { ...files, sampleRate, speakers };
}

export class KokoroEngine extends SherpaTtsEngine {
  readonly voices: TtsVoiceInfo[];
  readonly #sid = new Map<string, number>();

  /** `voiceName` maps a speaker to its advertised voice name (unique across the daemon). */
  constructor(spec: KokoroSpec, runtime: EngineRuntimeOptions, log: Logger, voiceName: (speaker: string) => string = (s) => s) {
    super(new SherpaTts({
      name: spec.name,
      model: {
        kokoro: {
          model: spec.model,
          voices: spec.voices,
          tokens: spec.tokens,
          dataDir: spec.dataDir,
          ...(spec.lexicon ? { lexicon: spec.lexicon } : {}),
          ...(spec.dictDir ? { dictDir: spec.dictDir } : {}),
        },
      },
      runtime,
      log,
    }));
    this.voices = spec.speakers.map((speaker, sid) => {
      const name = voiceName(speaker);
      this.#sid.set(name, sid);
      return {
        name,
        description: `Kokoro ${speaker} (${spec.name})`,
        languages: [KOKORO_LANGUAGES[speaker[0] ?? ''] ?? 'en_US'],
        version: null,
        attribution: KOKORO_ATTRIBUTION,
        backend: 'kokoro',
        sampleRate: spec.sampleRate,
        speakers: null,
      };
    });
  }

  protected speakerId({ voice }: TtsRequest): number {
    const sid = this.#sid.get(voice);
    if (sid === undefined) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `unknown Kokoro voice "${voice}"`);
    return sid;
  }
}
