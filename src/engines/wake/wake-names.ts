/**
 * Matching requested wake-word names to an engine's models. Clients name models by their exact
 * `info` name; we also accept the file-style name with a version suffix (`hey_jarvis_v0.1`), any
 * letter case, spaces for underscores, and the spoken phrase ("Hey Jarvis").
 */
import { SatelliteError } from '../../util/errors.js';
import type { WakeModelInfo } from './wake.js';

/** `Hey Jarvis`, `hey-jarvis`, `hey_jarvis_v0.1` → `hey_jarvis`. */
export function normalizeWakeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\.(onnx|tflite)$/, '')
    .replace(/_v\d+(\.\d+)*$/, '')
    .replace(/[\s-]+/g, '_');
}

/** The model a requested name means, if any. */
export function matchWakeModel<M extends Pick<WakeModelInfo, 'name' | 'phrase'>>(models: readonly M[], requested: string): M | undefined {
  const exact = models.find((m) => m.name === requested);
  if (exact) return exact;
  const wanted = normalizeWakeName(requested);
  return models.find((m) => normalizeWakeName(m.name) === wanted || normalizeWakeName(m.phrase) === wanted);
}

/**
 * The model names a session listens for: the requested ones this engine has (unknown ones are
 * ignored), or with none requested the defaults it has, or else its first model.
 */
export function resolveSessionNames(models: readonly WakeModelInfo[], requested: readonly string[], defaults: readonly string[] = []): string[] {
  const pick = (names: readonly string[]) => [...new Set(names.map((n) => matchWakeModel(models, n)?.name).filter((n): n is string => Boolean(n)))];
  if (requested.length > 0) {
    const found = pick(requested);
    if (found.length === 0) {
      throw new SatelliteError(
        'SAT_ERR_WAKE_MODEL_NOT_FOUND',
        `no wake model named ${requested.join(', ')}; installed: ${models.map((m) => m.name).join(', ') || 'none'}`,
      );
    }
    return found;
  }
  const fallback = pick(defaults);
  if (fallback.length > 0) return fallback;
  const first = models[0];
  if (!first) throw new SatelliteError('SAT_ERR_WAKE_MODEL_NOT_FOUND', 'no wake models installed');
  return [first.name];
}
