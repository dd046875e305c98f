/**
 * Wake-word names → engines. Every installed wake model of every engine is listed once, under a
 * stable name; a `detect {names}` request becomes one set of names per engine. Unknown names are
 * dropped; a request naming only unknown models is refused so the client learns what is installed.
 *
 * Names, descriptions and phrases are distinct across engines: Home Assistant shows a wake word by
 * its description (wake_word.py) and a satellite's detection by its phrase (assist_satellite.py),
 * so two engines that both know "alexa" must not both say "Alexa". The first engine keeps the
 * plain words; a later one's clashing description or phrase says which engine it is
 * ("Alexa (keyword spotter)"), as its clashing name already carries `_kws`.
 */
import { SatelliteError } from '../../util/errors.js';
import { matchWakeModel, normalizeWakeName, wakeBackendLabel, type WakeEngine, type WakeModelInfo } from '../../engines/wake/wake.js';

export interface WakeCatalogEntry {
  engineId: string;
  engine: WakeEngine;
  model: WakeModelInfo;
}

export interface WakePlanItem {
  engine: WakeEngine;
  names: string[];
}

/**
 * `text`, or when a model listed earlier already says it, `text (<backend>)`, then
 * `text (<backend> <engine id>)`, then a number: the first that nobody has said yet.
 */
function distinctText(text: string, taken: Set<string>, backend: string, engineId: string): string {
  const label = wakeBackendLabel(backend);
  const fixed = [text, `${text} (${label})`, `${text} (${label} ${engineId})`];
  for (let i = 0; ; i++) {
    const candidate = fixed[i] ?? `${text} (${label} ${engineId} ${i - fixed.length + 2})`;
    const key = normalizeWakeName(candidate);
    if (taken.has(key)) continue;
    taken.add(key);
    return candidate;
  }
}

/**
 * Installed wake models over all engines, in catalogue order; a repeated name keeps the first, and
 * a description or phrase an earlier model already has is told apart by its engine.
 */
export function wakeCatalog(installed: ReadonlyArray<{ id: string; engine: WakeEngine }>): WakeCatalogEntry[] {
  const seen = new Set<string>();
  const descriptions = new Set<string>();
  const phrases = new Set<string>();
  const out: WakeCatalogEntry[] = [];
  for (const { id: engineId, engine } of installed) {
    for (const model of engine.models) {
      if (seen.has(model.name)) continue;
      seen.add(model.name);
      const description = distinctText(model.description, descriptions, model.backend, engineId);
      const phrase = distinctText(model.phrase, phrases, model.backend, engineId);
      const listed = description === model.description && phrase === model.phrase ? model : { ...model, description, phrase };
      out.push({ engineId, engine, model: listed });
    }
  }
  return out;
}

/** The models to listen for: the requested ones, else the configured default, else the first installed. */
export function selectWakeModels(catalog: readonly WakeCatalogEntry[], requested: readonly string[] | null | undefined, defaultModel: string | null): WakeCatalogEntry[] {
  if (catalog.length === 0) throw new SatelliteError('SAT_ERR_WAKE_MODEL_NOT_FOUND', 'no wake models are installed');
  const models = catalog.map((e) => ({ ...e, name: e.model.name, phrase: e.model.phrase }));
  const find = (name: string) => matchWakeModel(models, name);
  const wanted = (requested ?? []).filter((n) => typeof n === 'string' && n.length > 0);
  if (wanted.length > 0) {
    const found = [...new Set(wanted.map(find).filter((e): e is (typeof models)[number] => e !== undefined))];
    if (found.length === 0) {
      throw new SatelliteError(
        'SAT_ERR_WAKE_MODEL_NOT_FOUND',
        `no wake model named ${wanted.join(', ')}; installed: ${catalog.map((e) => e.model.name).join(', ')}`,
      );
    }
    return found;
  }
  const fallback = (defaultModel ? find(defaultModel) : undefined) ?? models[0]!;
  return [fallback];
}

/** Groups selected models by engine, one session per engine. */
export function planWakeSessions(selected: readonly WakeCatalogEntry[]): WakePlanItem[] {
  const byEngine = new Map<WakeEngine, string[]>();
  for (const entry of selected) {
    const names = byEngine.get(entry.engine) ?? [];
    names.push(entry.model.name);
    byEngine.set(entry.engine, names);
  }
  return [...byEngine].map(([engine, names]) => ({ engine, names }));
}
