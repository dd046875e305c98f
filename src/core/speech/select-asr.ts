/** Chooses the ASR model for a request from the installed ones. Pure. */
import { baseLanguage, type AsrEngine } from '../engines/asr/asr.js';
import { SatelliteError } from '../util/errors.js';

export interface AsrChoice {
  name?: string | undefined;
  language?: string | undefined;
  defaultModel: string | null;
}

/** `en-US` → `en` (the HTTP route's name for the engines' helper). */
export { baseLanguage as baseLanguageCode };

export function supportsLanguage(engine: AsrEngine, language: string | undefined): boolean {
  if (!language) return true;
  return engine.info.languages.includes(baseLanguage(language));
}

/**
 * A named model must exist (SAT_ERR_MODEL_NOT_FOUND); otherwise the configured default, else the
 * first installed model speaking the language. The language must be one the model speaks
 * (SAT_ERR_UNSUPPORTED_LANGUAGE).
 */
export function pickAsrEngine(engines: ReadonlyMap<string, AsrEngine>, choice: AsrChoice): AsrEngine {
  if (engines.size === 0) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', 'no speech-to-text model is installed');
  const { name, language, defaultModel } = choice;
  let engine: AsrEngine | undefined;
  if (name) {
    engine = engines.get(name);
    if (!engine) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `unknown speech-to-text model "${name}" (installed: ${[...engines.keys()].join(', ')})`);
  } else {
    const preferred = defaultModel ? engines.get(defaultModel) : undefined;
    const all = [...engines.values()];
    engine = preferred && supportsLanguage(preferred, language) ? preferred : (all.find((e) => supportsLanguage(e, language)) ?? preferred ?? all[0]);
  }
  if (!engine || !supportsLanguage(engine, language)) {
    throw new SatelliteError('SAT_ERR_UNSUPPORTED_LANGUAGE', `model "${engine?.info.name}" does not support language "${language}"`);
  }
  return engine;
}
