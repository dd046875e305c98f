/**
 * How OpenAI's request fields map onto the speech service's one selection rule: `model` names an
 * installed model or voice (or is mapped to one by `http.model_map`), while OpenAI's own model
 * names (whisper-1, tts-1, …) or no name at all leave the choice to the rule — so the language,
 * the task and the configured defaults decide exactly as they do for Wyoming. OpenAI voice names
 * map through `http.voice_map`, else to the default voice.
 */
import type { Config } from '../../config/schema.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import { voicesNamed, type VoiceChoice } from '../../core/speech/select-voice.js';
import type { AsrEngine, AsrTask } from '../../engines/asr/asr.js';
import { errorCode } from '../../util/errors.js';
import { badRequest, HttpError } from './http-errors.js';

export const OPENAI_ASR_MODELS: readonly string[] = [
  'whisper-1',
  'gpt-4o-transcribe',
  'gpt-4o-mini-transcribe',
  'gpt-4o-mini-transcribe-2025-12-15',
  'gpt-4o-transcribe-diarize',
  'gpt-transcribe',
];
export const OPENAI_TTS_MODELS: readonly string[] = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15'];
export const OPENAI_VOICES: readonly string[] = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'onyx',
  'nova',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
];

type Settings = Pick<Config, 'http'>;

/** The installed model a request's `model` names, or undefined for "let the rule choose". */
function mapped(config: Settings, name: string | undefined, generic: readonly string[]): string | undefined {
  if (name === undefined) return undefined;
  const target = config.http.model_map[name] ?? name;
  return generic.includes(target) ? undefined : target;
}

function notFound(requested: string | undefined): HttpError {
  return new HttpError(404, `the model '${requested}' does not exist here; GET /v1/models lists the installed ones`, { code: 'model_not_found', param: 'model' });
}

/** The speech-to-text model for a request, as Wyoming would choose it for the same name, language and task. */
export function resolveAsr(speech: SpeechService, config: Settings, requested: string | undefined, language: string | undefined, task: AsrTask): AsrEngine {
  try {
    return speech.pickAsr({ name: mapped(config, requested, OPENAI_ASR_MODELS), language, task });
  } catch (err) {
    switch (errorCode(err)) {
      case 'SAT_ERR_MODEL_NOT_FOUND':
        if (speech.asrModels().length === 0) throw new HttpError(503, 'no speech-to-text model is installed', { code: 'no_model_installed', param: 'model' });
        throw notFound(requested);
      case 'SAT_ERR_UNSUPPORTED_LANGUAGE':
        throw badRequest((err as Error).message, 'language', 'unsupported_language');
      case 'SAT_ERR_UNSUPPORTED_TASK':
        throw badRequest(`${(err as Error).message}; translations need a multilingual Whisper model`, 'model', 'translation_unsupported');
      default:
        throw err;
    }
  }
}

/** `model` picks a voice or a model folder's voices (or the default), `voice` a voice among them (or any installed one). */
export function resolveVoice(speech: SpeechService, config: Settings, model: string | undefined, voice: string | undefined): VoiceChoice {
  const voices = speech.voices();
  if (voices.length === 0) throw new HttpError(503, 'no text-to-speech voice is installed', { code: 'no_model_installed', param: 'model' });
  const modelName = mapped(config, model, OPENAI_TTS_MODELS);
  const pool = modelName ? voicesNamed(voices, modelName) : voices;
  if (pool.length === 0) throw notFound(model);
  const preferred = speech.pickVoice(modelName ? { name: modelName } : {});
  if (!voice) return preferred;
  const voiceName = (config.http.voice_map[voice] ?? voice).toLowerCase();
  const found = pool.find((v) => v.voice.name.toLowerCase() === voiceName) ?? voices.find((v) => v.voice.name.toLowerCase() === voiceName);
  if (found) return speech.pickVoice({ name: found.voice.name });
  // An OpenAI voice name with no mapping means the default.
  if (OPENAI_VOICES.includes(voice)) return preferred;
  throw badRequest(`the voice '${voice}' is not installed; GET /v1/audio/voices lists them`, 'voice', 'voice_not_found');
}
