/**
 * Which models are installed and which are in memory right now, per engine kind, read from the
 * engine registry. MQTT diagnostics and HTTP /metrics both report these figures, so they agree.
 *
 * One entry per native model (the thing that is loaded and unloaded), not per voice or wake word:
 * a Kokoro model with fifty speakers, or espeak-ng with every language, is one model.
 */
import type { TtsEngine } from '../engines/tts/tts.js';
import type { EngineRegistry } from '../wiring/daemon-context.js';

export type ModelKind = 'asr' | 'tts' | 'wake' | 'vad';

export const MODEL_KINDS: readonly ModelKind[] = ['asr', 'tts', 'wake', 'vad'];

export interface KindModels {
  installed: string[];
  /** The installed models whose engine reports `loaded` now. */
  loaded: string[];
}

export type ModelListing = Record<ModelKind, KindModels>;

/**
 * A TTS model's name: its voice's name when it has one voice (Piper), else from its registry key,
 * `<backend>:<folder or .onnx path>` or a bare id such as `espeak-ng`: the folder's name.
 */
export function ttsModelName(key: string, engine: Pick<TtsEngine, 'voices'>): string {
  const only = engine.voices.length === 1 ? engine.voices[0] : undefined;
  if (only) return only.name;
  const parts = key
    .slice(key.indexOf(':') + 1)
    .split(/[\\/]+/)
    .filter(Boolean);
  const last = parts.at(-1);
  if (!last) return key;
  return /\.onnx$/i.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

export function listModels(engines: EngineRegistry): ModelListing {
  const listing: ModelListing = { asr: empty(), tts: empty(), wake: empty(), vad: empty() };
  const note = (kind: ModelKind, name: string, loaded: boolean) => {
    listing[kind].installed.push(name);
    if (loaded) listing[kind].loaded.push(name);
  };
  for (const [name, engine] of engines.asr) note('asr', name, engine.loaded);
  for (const [key, engine] of engines.tts) note('tts', ttsModelName(key, engine), engine.loaded);
  for (const [id, engine] of engines.wake) note('wake', id, engine.loaded);
  if (engines.vad) note('vad', engines.vad.name, engines.vad.loaded);
  return listing;
}

/** `kind/name` of every installed (or loaded) model, for flat lists. */
export function qualifiedNames(listing: ModelListing, which: keyof KindModels): string[] {
  return MODEL_KINDS.flatMap((kind) => listing[kind][which].map((name) => `${kind}/${name}`));
}

export function loadedCount(listing: ModelListing): number {
  return MODEL_KINDS.reduce((sum, kind) => sum + listing[kind].loaded.length, 0);
}

function empty(): KindModels {
  return { installed: [], loaded: [] };
}
