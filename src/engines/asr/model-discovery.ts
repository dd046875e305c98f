/**
 * Finds installed ASR models by the files in their folders (one folder per model):
 * - streaming / offline / NeMo transducer: encoder*, decoder*, joiner* (.onnx) + tokens.txt; the
 *   encoder's metadata (or the folder name) tells streaming zipformers and NeMo models apart;
 * - Whisper: <m>-encoder*.onnx, <m>-decoder*.onnx, <m>-tokens.txt;
 * - Moonshine: preprocess + encode + uncached_decode + cached_decode (v1) or encoder_model +
 *   decoder_model_merged (v2), with tokens.txt;
 * - SenseVoice / Paraformer: model*.onnx + tokens.txt (told apart by metadata or name);
 * - Vosk: am/ plus graph/ or conf/model.conf.
 * int8 files are preferred when both precisions are present.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readOnnxMetadataOrEmpty } from '../runtime/onnx-file.js';
import {
  FAMILY_RANK,
  K2_ATTRIBUTION,
  VOSK_ATTRIBUTION,
  WHISPER_ATTRIBUTION,
  type AsrFamily,
  type AsrFiles,
  type AsrModelSpec,
} from './model-spec.js';

const SAMPLE_RATE = 16_000;
const SENSE_VOICE_LANGUAGES = ['zh', 'en', 'ja', 'ko', 'yue'];

/** Picks the file matching `pattern`, preferring an int8 export. */
export function pickModelFile(names: readonly string[], pattern: RegExp): string | undefined {
  const matches = names.filter((n) => pattern.test(n)).sort();
  return matches.find((n) => /\.int8\.(onnx|ort)$/.test(n)) ?? matches[0];
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function guessLanguages(name: string): string[] {
  const n = name.toLowerCase();
  if (/bilingual-zh-en|zh-en|en-zh/.test(n)) return ['zh', 'en'];
  if (/wenetspeech|multi-zh|(^|[-_])zh([-_]|$)|chinese|aishell/.test(n)) return ['zh'];
  const vosk = /vosk-model-(?:small-)?([a-z]{2,3})(?:-|$)/.exec(n);
  if (vosk?.[1]) return [vosk[1]];
  const lang = /(?:^|[-_])(de|fr|es|it|ru|ja|ko|pt|nl|pl|uk|ar|hi|tr|vi|fa)(?:[-_]|$)/.exec(n);
  if (lang?.[1]) return [lang[1]];
  return ['en'];
}

interface Detected {
  family: AsrFamily;
  files: AsrFiles;
  languages: string[];
}

async function detectTransducer(dir: string, names: string[]): Promise<Detected | undefined> {
  const encoder = pickModelFile(names, /^encoder.*\.onnx$/);
  const decoder = pickModelFile(names, /^decoder.*\.onnx$/);
  const joiner = pickModelFile(names, /^joiner.*\.onnx$/);
  if (!encoder || !decoder || !joiner || !names.includes('tokens.txt')) return undefined;
  const meta = await readOnnxMetadataOrEmpty(path.join(dir, encoder));
  const folder = path.basename(dir).toLowerCase();
  const modelType = meta['model_type'] ?? '';
  let family: AsrFamily = 'transducer';
  if (/encdec|nemo/i.test(modelType) || /nemo|parakeet/.test(folder)) family = 'nemo-transducer';
  else if ('decode_chunk_len' in meta || 'T' in meta || /streaming/i.test(meta['comment'] ?? '') || /streaming|kws/.test(folder)) {
    family = 'streaming-transducer';
  }
  return { family, files: { encoder, decoder, joiner, tokens: 'tokens.txt' }, languages: guessLanguages(folder) };
}

async function detectWhisper(dir: string, names: string[]): Promise<Detected | undefined> {
  const encoder = pickModelFile(names, /^.+-encoder(\.int8)?\.onnx$/);
  const decoder = pickModelFile(names, /^.+-decoder(\.int8)?\.onnx$/);
  const tokens = names.find((n) => /^.+-tokens\.txt$/.test(n));
  if (!encoder || !decoder || !tokens) return undefined;
  const meta = await readOnnxMetadataOrEmpty(path.join(dir, encoder));
  const codes = (meta['all_language_codes'] ?? '').split(',').filter(Boolean);
  const languages = meta['is_multilingual'] === '1' && codes.length > 0 ? codes : ['en'];
  return { family: 'whisper', files: { encoder, decoder, tokens }, languages };
}

function detectMoonshine(dir: string, names: string[]): Detected | undefined {
  if (!names.includes('tokens.txt')) return undefined;
  const languages = guessLanguages(path.basename(dir));
  const encoder = pickModelFile(names, /^encoder_model.*\.(onnx|ort)$/);
  const mergedDecoder = pickModelFile(names, /^decoder_model_merged.*\.(onnx|ort)$/);
  if (encoder && mergedDecoder) return { family: 'moonshine', files: { encoder, mergedDecoder, tokens: 'tokens.txt' }, languages };
  const preprocessor = pickModelFile(names, /^preprocess.*\.onnx$/);
  const encode = pickModelFile(names, /^encode(\.int8)?\.onnx$/);
  const uncachedDecoder = pickModelFile(names, /^uncached_decode.*\.onnx$/);
  const cachedDecoder = pickModelFile(names, /^cached_decode.*\.onnx$/);
  if (preprocessor && encode && uncachedDecoder && cachedDecoder) {
    return { family: 'moonshine', files: { preprocessor, encoder: encode, uncachedDecoder, cachedDecoder, tokens: 'tokens.txt' }, languages };
  }
  return undefined;
}

async function detectSingleModel(dir: string, names: string[]): Promise<Detected | undefined> {
  const model = pickModelFile(names, /^model.*\.onnx$/);
  if (!model || !names.includes('tokens.txt')) return undefined;
  const meta = await readOnnxMetadataOrEmpty(path.join(dir, model));
  const folder = path.basename(dir).toLowerCase();
  if ('with_itn' in meta || /sense-?voice/.test(folder)) {
    return { family: 'sense-voice', files: { model, tokens: 'tokens.txt' }, languages: [...SENSE_VOICE_LANGUAGES] };
  }
  if ('lfr_window_size' in meta || /paraformer/.test(folder)) {
    return { family: 'paraformer', files: { model, tokens: 'tokens.txt' }, languages: ['zh', 'en'] };
  }
  return undefined;
}

async function detectVosk(dir: string): Promise<Detected | undefined> {
  if (!(await isDir(path.join(dir, 'am')))) return undefined;
  if (!(await isDir(path.join(dir, 'graph'))) && !(await exists(path.join(dir, 'conf', 'model.conf')))) return undefined;
  return { family: 'vosk', files: {}, languages: guessLanguages(path.basename(dir)) };
}

/** Detects the family of one folder; undefined when it holds no ASR model. */
export async function detectAsrFolder(dir: string): Promise<Detected | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  return (
    (await detectVosk(dir)) ??
    (await detectWhisper(dir, names)) ??
    detectMoonshine(dir, names) ??
    (await detectTransducer(dir, names)) ??
    (await detectSingleModel(dir, names))
  );
}

const DESCRIPTIONS: Record<AsrFamily, string> = {
  'streaming-transducer': 'streaming transducer (sherpa-onnx)',
  transducer: 'transducer (sherpa-onnx)',
  'nemo-transducer': 'NeMo transducer (sherpa-onnx)',
  whisper: 'Whisper (sherpa-onnx)',
  moonshine: 'Moonshine (sherpa-onnx)',
  'sense-voice': 'SenseVoice (sherpa-onnx)',
  paraformer: 'Paraformer (sherpa-onnx)',
  vosk: 'Vosk (Kaldi)',
};

export function makeSpec(name: string, dir: string, detected: Detected, source: AsrModelSpec['source']): AsrModelSpec {
  const files: AsrFiles = {};
  for (const [role, file] of Object.entries(detected.files)) {
    if (file) files[role as keyof AsrFiles] = path.isAbsolute(file) ? file : path.join(dir, file);
  }
  const attribution = detected.family === 'whisper' ? WHISPER_ATTRIBUTION : detected.family === 'vosk' ? VOSK_ATTRIBUTION : K2_ATTRIBUTION;
  return {
    name,
    family: detected.family,
    dir,
    files,
    languages: detected.languages,
    sampleRate: SAMPLE_RATE,
    description: `${name}: ${DESCRIPTIONS[detected.family]}`,
    attribution,
    source,
  };
}

/** Every ASR model folder directly under `modelsDir`, in preference order. */
export async function discoverAsrModels(modelsDir: string): Promise<AsrModelSpec[]> {
  let entries: string[];
  try {
    entries = await readdir(modelsDir);
  } catch {
    return [];
  }
  const specs: AsrModelSpec[] = [];
  for (const entry of entries.sort()) {
    const dir = path.join(modelsDir, entry);
    if (entry.startsWith('.') || !(await isDir(dir))) continue;
    const detected = await detectAsrFolder(dir);
    if (detected) specs.push(makeSpec(entry, dir, detected, 'discovered'));
  }
  return sortByPreference(specs);
}

export function sortByPreference(specs: AsrModelSpec[]): AsrModelSpec[] {
  return [...specs].sort((a, b) => FAMILY_RANK[a.family] - FAMILY_RANK[b.family] || a.name.localeCompare(b.name));
}
