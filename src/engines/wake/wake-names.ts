/** Wake-word names: from head file names, as phrases, and which of an engine's models a session listens for. */
import path from 'node:path';
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

/** `hey_jarvis_v0.1.onnx` → `hey_jarvis`; `alexa.onnx` → `alexa`. */
export function wakeWordName(file: string): string {
  const base = path.basename(file).replace(/\.onnx$/i, '');
  return base.replace(/_v\d+(\.\d+)*$/i, '').toLowerCase();
}

/** The version a head file states: `hey_jarvis_v0.1.onnx` → `0.1`; null when it states none. */
export function wakeWordVersion(file: string): string | null {
  return /_v(\d+(?:\.\d+)*)(?:\.onnx)?$/i.exec(path.basename(file))?.[1] ?? null;
}

/** `hey_jarvis` → `Hey Jarvis`. */
export function phraseFromName(name: string): string {
  return name
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
