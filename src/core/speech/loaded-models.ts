/**
 * Which models are installed and which are in memory right now, per engine kind, read from the
 * speech service's catalogue. MQTT diagnostics and HTTP /metrics both report these figures, so they agree.
 *
 * One entry per native model (the thing that is loaded and unloaded), not per voice or wake word:
 * a Kokoro model with fifty speakers, or espeak-ng with every language, is one model.
 */
import type { TtsEngine } from '../../engines/tts/tts.js';

export type ModelKind = 'asr' | 'tts' | 'wake' | 'vad';

export const MODEL_KINDS: readonly ModelKind[] = ['asr', 'tts', 'wake', 'vad'];

export interface KindModels {
  installed: string[];
  /** The installed models whose engine reports `loaded` now. */
  loaded: string[];
}

export type ModelListing = Record<ModelKind, KindModels>;

/** A TTS model's name: its voice's name when it has one voice (Piper), else its id (the folder's name, or `espeak-ng`). */
export function ttsModelName(id: string, engine: Pick<TtsEngine, 'voices'>): string {
  const only = engine.voices.length === 1 ? engine.voices[0] : undefined;
  return only ? only.name : id;
}

interface Entry<E> {
  id: string;
  engine: E;
}

export interface InstalledEngines {
  asr: ReadonlyArray<Entry<{ loaded: boolean; info: { name: string } }>>;
  tts: ReadonlyArray<Entry<{ loaded: boolean } & Pick<TtsEngine, 'voices'>>>;
  wake: ReadonlyArray<Entry<{ loaded: boolean }>>;
  vad: ReadonlyArray<Entry<{ loaded: boolean; name: string }>>;
}

export function listModels(installed: InstalledEngines): ModelListing {
  const listing: ModelListing = { asr: empty(), tts: empty(), wake: empty(), vad: empty() };
  const note = (kind: ModelKind, name: string, loaded: boolean) => {
    listing[kind].installed.push(name);
    if (loaded) listing[kind].loaded.push(name);
  };
  for (const { engine } of installed.asr) note('asr', engine.info.name, engine.loaded);
  for (const { id, engine } of installed.tts) note('tts', ttsModelName(id, engine), engine.loaded);
  for (const { id, engine } of installed.wake) note('wake', id, engine.loaded);
  for (const { engine } of installed.vad) note('vad', engine.name, engine.loaded);
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
