/**
 * Which request parameters each route takes, as OpenAI's API reference lists them. A parameter
 * the reference does not list is refused the way OpenAI refuses it (400, `unknown_parameter`,
 * naming it), so a typo never passes silently. Parameters the reference lists but this daemon has
 * no use for (and the official SDKs send when a caller sets them) are accepted and ignored.
 */
import { HttpError } from './http-errors.js';

export interface ParameterPolicy {
  /** Parameters the route acts on. */
  used: readonly string[];
  /** Parameters OpenAI's API takes that are accepted and ignored here. */
  ignored: readonly string[];
}

export const TRANSCRIPTION_PARAMETERS: ParameterPolicy = {
  used: ['file', 'model', 'language', 'response_format', 'temperature', 'timestamp_granularities', 'stream'],
  ignored: ['prompt', 'include', 'chunking_strategy', 'known_speaker_names', 'known_speaker_references', 'languages', 'keywords'],
};

export const TRANSLATION_PARAMETERS: ParameterPolicy = {
  used: ['file', 'model', 'response_format', 'temperature'],
  ignored: ['prompt'],
};

export const SPEECH_PARAMETERS: ParameterPolicy = {
  used: ['model', 'input', 'voice', 'response_format', 'speed', 'stream_format'],
  ignored: ['instructions'],
};

/** A multipart field's parameter: `timestamp_granularities[]` and `chunking_strategy[type]` belong to their base name. */
export function parameterName(field: string): string {
  const bracket = field.indexOf('[');
  return bracket > 0 ? field.slice(0, bracket) : field;
}

export function unknownParameter(name: string): HttpError {
  return new HttpError(400, `Unknown parameter: '${name}'.`, { code: 'unknown_parameter', param: name });
}

/** Throws for the first name the policy does not know. */
export function checkParameters(names: Iterable<string>, policy: ParameterPolicy): void {
  for (const field of names) {
    const name = parameterName(field);
    if (!policy.used.includes(name) && !policy.ignored.includes(name)) throw unknownParameter(field);
  }
}
