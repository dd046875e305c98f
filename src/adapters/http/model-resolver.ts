/**
 * Which installed engine answers a request: `model` names an installed model (or is mapped to one
 * by `http.model_map`), and OpenAI's own names (whisper-1, tts-1, …) or no name at all mean the
 * configured default. OpenAI voice names map through `http.voice_map`, else to the default voice.
 */
import type { Config } from '../../config/schema.js';
import type { EngineRegistry } from '../../wiring/daemon-context.js';
import { allVoices as rankedVoices } from '../../core/tts-voices.js';
import type { AsrEngine } from '../../engines/asr/asr.js';
import type { TtsEngine, TtsVoiceInfo } from '../../engines/tts/tts.js';
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

export interface ResolvedVoice {
  engineId: string;
  engine: TtsEngine;
  voice: TtsVoiceInfo;
}

type Settings = Pick<Config, 'stt' | 'tts' | 'http'>;

function mapped(config: Settings, name: string | undefined): string | undefined {
  return name === undefined ? undefined : (config.http.model_map[name] ?? name);
}

export function defaultAsr(engines: EngineRegistry, config: Settings): AsrEngine | undefined {
  const preferred = config.stt.default_model;
  return (preferred ? engines.asr.get(preferred) : undefined) ?? engines.asr.values().next().value;
}

export function resolveAsr(engines: EngineRegistry, config: Settings, requested: string | undefined): AsrEngine {
  const name = mapped(config, requested);
  if (name) {
    const engine = engines.asr.get(name);
    if (engine) return engine;
    if (!OPENAI_ASR_MODELS.includes(name)) {
      throw new HttpError(404, `the model '${requested}' does not exist here; GET /v1/models lists the installed ones`, {
        code: 'model_not_found',
        param: 'model',
      });
    }
  }
  const engine = defaultAsr(engines, config);
  if (!engine) throw new HttpError(503, 'no speech-to-text model is installed', { code: 'no_model_installed', param: 'model' });
  return engine;
}

/** Every installed voice in the daemon-wide preference order (so the default matches Wyoming's). */
export function allVoices(engines: EngineRegistry): ResolvedVoice[] {
  const ids = new Map([...engines.tts].map(([engineId, engine]) => [engine, engineId]));
  return rankedVoices(engines.tts).map(({ engine, voice }) => ({ engineId: ids.get(engine)!, engine, voice }));
}

export function defaultVoice(engines: EngineRegistry, config: Settings): ResolvedVoice | undefined {
  const voices = allVoices(engines);
  const preferred = config.tts.default_voice;
  return voices.find((v) => v.voice.name === preferred) ?? voices[0];
}

/** `model` picks an engine or voice (or the default), `voice` picks a voice within the installed set. */
export function resolveVoice(engines: EngineRegistry, config: Settings, model: string | undefined, voice: string | undefined): ResolvedVoice {
  const voices = allVoices(engines);
  const fallback = defaultVoice(engines, config);
  if (!fallback) throw new HttpError(503, 'no text-to-speech voice is installed', { code: 'no_model_installed', param: 'model' });
  const modelName = mapped(config, model);
  let pool = voices;
  if (modelName && !OPENAI_TTS_MODELS.includes(modelName)) {
    pool = engines.tts.has(modelName) ? voices.filter((v) => v.engineId === modelName) : voices.filter((v) => v.voice.name === modelName);
    if (pool.length === 0) {
      throw new HttpError(404, `the model '${model}' does not exist here; GET /v1/models lists the installed ones`, {
        code: 'model_not_found',
        param: 'model',
      });
    }
  }
  const preferred = pool.includes(fallback) ? fallback : pool[0]!;
  if (!voice) return preferred;
  const voiceName = config.http.voice_map[voice] ?? voice;
  const found = pool.find((v) => v.voice.name === voiceName) ?? voices.find((v) => v.voice.name === voiceName);
  if (found) return found;
  if (OPENAI_VOICES.includes(voice)) return preferred;
  throw badRequest(`the voice '${voice}' is not installed; GET /v1/audio/voices lists them`, 'voice', 'voice_not_found');
}
