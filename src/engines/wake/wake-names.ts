/** Which of an engine's models a session listens for (matching rules: `matchWakeModel`). */
import { SatelliteError } from '../../util/errors.js';
import { matchWakeModel, type WakeModelInfo } from './wake.js';

/**
 * The model names a session listens for: the requested ones this engine has (unknown ones are
 * ignored), or with none requested its first model.
 */
export function resolveSessionNames(models: readonly WakeModelInfo[], requested: readonly string[]): string[] {
  if (requested.length > 0) {
    const found = [...new Set(requested.map((n) => matchWakeModel(models, n)?.name).filter((n): n is string => Boolean(n)))];
    if (found.length === 0) {
      throw new SatelliteError(
        'SAT_ERR_WAKE_MODEL_NOT_FOUND',
        `no wake model named ${requested.join(', ')}; installed: ${models.map((m) => m.name).join(', ') || 'none'}`,
      );
    }
    return found;
  }
  const first = models[0];
  if (!first) throw new SatelliteError('SAT_ERR_WAKE_MODEL_NOT_FOUND', 'no wake models installed');
  return [first.name];
}
