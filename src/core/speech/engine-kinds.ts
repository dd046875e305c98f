/**
 * The four kinds of engine the speech service owns, what discovery hands it for each installed
 * model (a spec: an identity and how to build the engine), and what it announces when the
 * installed set changes.
 */
import type { AsrEngine } from '../../engines/asr/asr.js';
import type { TtsEngine } from '../../engines/tts/tts.js';
import type { VadFactory } from '../../engines/vad/vad.js';
import type { WakeEngine } from '../../engines/wake/wake.js';

export type EngineKind = 'asr' | 'vad' | 'tts' | 'wake';

export const ENGINE_KINDS: readonly EngineKind[] = ['asr', 'vad', 'tts', 'wake'];

export interface EngineOf {
  asr: AsrEngine;
  vad: VadFactory;
  tts: TtsEngine;
  wake: WakeEngine;
}

export interface BuildContext {
  /** Names (voices, wake words) already used by engines earlier in the preference order. */
  takenNames: ReadonlySet<string>;
}

/** One installed model as discovery found it. */
export interface EngineSpec<K extends EngineKind = EngineKind> {
  kind: K;
  /** Stable id (a model name, or an engine folder's id); unique per kind. */
  id: string;
  /** Everything the engine is built from: an unchanged key keeps the running engine across rescans. */
  key: string;
  /** Load at once instead of on first use. */
  preload: boolean;
  build(context: BuildContext): Promise<EngineOf[K]> | EngineOf[K];
}

/** One kind's installed set changed (by engine id). */
export interface SpeechChange {
  kind: EngineKind;
  added: string[];
  removed: string[];
}

/** The user-visible names an engine brings: its model, voices or wake words. */
export function engineNames<K extends EngineKind>(kind: K, engine: EngineOf[K]): string[] {
  switch (kind) {
    case 'asr':
      return [(engine as AsrEngine).info.name];
    case 'vad':
      return [(engine as VadFactory).name];
    case 'tts':
      return (engine as TtsEngine).voices.map((v) => v.name);
    default:
      return (engine as WakeEngine).models.map((m) => m.name);
  }
}
