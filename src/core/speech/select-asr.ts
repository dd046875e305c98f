/**
 * The one rule that picks a speech-to-text model, for every front end (Wyoming, HTTP, MQTT, CLI):
 * a named model (its name, or the id of its folder, any letter case), else the configured default,
 * else the first installed in the daemon-wide preference order — among those that speak the
 * requested language and can do the task. Pure.
 */
import { baseLanguage, type AsrEngine, type AsrTask } from '../../engines/asr/asr.js';
import { SatelliteError } from '../../util/errors.js';

export interface AsrQuery {
  name?: string | null | undefined;
  language?: string | null | undefined;
  /** `translate` needs a model whose info lists it (a multilingual Whisper). */
  task?: AsrTask | undefined;
}

export interface InstalledAsr {
  id: string;
  engine: AsrEngine;
}

/** `en-US` → `en` (for callers that compare languages themselves). */
export { baseLanguage as baseLanguageCode };

/** A model that lists no languages takes any; otherwise the request's base language must be listed. */
export function supportsLanguage(engine: AsrEngine, language: string | null | undefined): boolean {
  if (!language) return true;
  const languages = engine.info.languages.map((l) => baseLanguage(l));
  return languages.length === 0 || languages.includes(baseLanguage(language));
}

export function supportsTask(engine: AsrEngine, task: AsrTask | undefined): boolean {
  return !task || task === 'transcribe' || (engine.info.tasks ?? ['transcribe']).includes(task);
}

function named(installed: readonly InstalledAsr[], name: string): InstalledAsr | undefined {
  const lower = name.toLowerCase();
  return (
    installed.find((m) => m.engine.info.name === name) ??
    installed.find((m) => m.engine.info.name.toLowerCase() === lower || m.id.toLowerCase() === lower)
  );
}

/**
 * Throws SAT_ERR_MODEL_NOT_FOUND (nothing installed, or an unknown name), SAT_ERR_UNSUPPORTED_LANGUAGE
 * or SAT_ERR_UNSUPPORTED_TASK (no suitable model).
 */
export function pickAsr(installed: readonly InstalledAsr[], query: AsrQuery, defaultModel: string | null): AsrEngine {
  if (installed.length === 0) throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', 'no speech-to-text model is installed');
  const { name, language, task } = query;
  if (name) {
    const found = named(installed, name);
    if (!found) {
      throw new SatelliteError('SAT_ERR_MODEL_NOT_FOUND', `unknown speech-to-text model "${name}" (installed: ${installed.map((m) => m.engine.info.name).join(', ')})`);
    }
    check(found.engine, language, task);
    return found.engine;
  }
  const fits = installed.filter((m) => supportsLanguage(m.engine, language) && supportsTask(m.engine, task));
  const preferred = defaultModel ? named(fits, defaultModel) : undefined;
  const chosen = preferred ?? fits[0];
  if (chosen) return chosen.engine;
  if (installed.some((m) => supportsLanguage(m.engine, language))) {
    throw new SatelliteError('SAT_ERR_UNSUPPORTED_TASK', `no installed speech-to-text model can ${task} ${language ? `from ${language}` : ''}`.trim());
  }
  const spoken = [...new Set(installed.flatMap((m) => m.engine.info.languages))].join(', ');
  throw new SatelliteError('SAT_ERR_UNSUPPORTED_LANGUAGE', `no installed speech-to-text model supports language "${language}" (installed models speak ${spoken})`);
}

function check(engine: AsrEngine, language: string | null | undefined, task: AsrTask | undefined): void {
  if (!supportsLanguage(engine, language)) {
    throw new SatelliteError('SAT_ERR_UNSUPPORTED_LANGUAGE', `model "${engine.info.name}" does not support language "${language}" (it speaks ${engine.info.languages.join(', ')})`);
  }
  if (!supportsTask(engine, task)) throw new SatelliteError('SAT_ERR_UNSUPPORTED_TASK', `model "${engine.info.name}" cannot ${task}`);
}
