/**
 * GET /v1/models (+ /v1/models/{id}), /v1/audio/voices, /health and /metrics: what is installed,
 * whether the default models are ready, and the counters Prometheus scrapes. Models are the
 * speech-to-text models, the text-to-speech models (an engine or model folder, not each of its
 * voices: those are on /v1/audio/voices) and OpenAI's model names, which resolve exactly as a
 * POST's `model` does.
 */
import type { HttpDeps } from './http-deps.js';
import { HttpError } from './http-errors.js';
import type { Route } from './http-server.js';
import { OPENAI_ASR_MODELS, OPENAI_TTS_MODELS, OPENAI_VOICES, resolveAsr, resolveVoice } from './model-resolver.js';
import { sendJson, sendText } from './respond.js';

const OWNER = 'speech-satellite';
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** Extra, ignored by OpenAI clients: what the model does. */
  kind: 'asr' | 'tts';
  languages: string[];
  /** Extra, for OpenAI's names (and `http.model_map` entries): the installed model or voice a request naming it gets now. */
  resolves_to?: string;
}

export function infoRoutes(deps: HttpDeps): Route[] {
  return [
    { method: 'GET', path: '/v1/models', name: 'models', handle: async (x) => sendJson(x.res, 200, { object: 'list', data: modelList(deps) }) },
    {
      method: 'GET',
      path: '/v1/models/',
      name: 'model',
      handle: async (x) => {
        const id = decodeURIComponent(x.url.pathname.slice('/v1/models/'.length));
        const model = modelList(deps).find((m) => m.id === id) ?? resolveModel(deps, id);
        if (!model) throw new HttpError(404, `the model '${id}' does not exist here`, { code: 'model_not_found', param: 'model' });
        sendJson(x.res, 200, model);
      },
    },
    { method: 'GET', path: '/v1/audio/voices', name: 'voices', handle: async (x) => sendJson(x.res, 200, voiceList(deps)) },
    { method: 'GET', path: '/health', name: 'health', auth: false, handle: async (x) => sendJson(x.res, 200, await health(deps)) },
    { method: 'GET', path: '/metrics', name: 'metrics', handle: async (x) => sendText(x.res, 200, metrics(deps), PROMETHEUS_CONTENT_TYPE) },
  ];
}

function modelList(deps: HttpDeps): ModelObject[] {
  const created = Math.floor(deps.startedAt.getTime() / 1000);
  const out: ModelObject[] = [];
  for (const model of deps.speech.asrModels()) {
    out.push({ id: model.name, object: 'model', created, owned_by: OWNER, kind: 'asr', languages: model.languages });
  }
  const engines = new Map<string, Set<string>>();
  for (const { engineId, voice } of deps.speech.voices()) {
    const languages = engines.get(engineId) ?? new Set<string>();
    for (const language of voice.languages) languages.add(language);
    engines.set(engineId, languages);
  }
  for (const [engineId, languages] of engines) {
    out.push({ id: engineId, object: 'model', created, owned_by: OWNER, kind: 'tts', languages: [...languages] });
  }
  for (const alias of [...OPENAI_ASR_MODELS, ...OPENAI_TTS_MODELS]) {
    const resolved = resolveModel(deps, alias);
    if (resolved) out.push(resolved);
  }
  return out;
}

/**
 * A name a POST would accept for `model` (an OpenAI name, an `http.model_map` entry, a voice),
 * described by what it resolves to now; undefined where a POST would get an error.
 */
function resolveModel(deps: HttpDeps, id: string): ModelObject | undefined {
  const created = Math.floor(deps.startedAt.getTime() / 1000);
  const base = { id, object: 'model' as const, created, owned_by: OWNER };
  // OpenAI's speech-to-text names go to speech-to-text only, and its text-to-speech names to voices.
  if (!OPENAI_TTS_MODELS.includes(id)) {
    try {
      const engine = resolveAsr(deps.speech, deps.config, id, undefined, 'transcribe');
      return { ...base, kind: 'asr', languages: engine.info.languages, resolves_to: engine.info.name };
    } catch {
      if (OPENAI_ASR_MODELS.includes(id)) return undefined;
    }
  }
  try {
    const { voice } = resolveVoice(deps.speech, deps.config, id, undefined);
    return { ...base, kind: 'tts', languages: voice.languages, resolves_to: voice.name };
  } catch {
    return undefined;
  }
}

function voiceList(deps: HttpDeps) {
  const fallback = deps.speech.voices().length ? deps.speech.pickVoice().voice.name : null;
  const openai = Object.fromEntries(OPENAI_VOICES.map((name) => [name, deps.config.http.voice_map[name] ?? fallback]));
  return {
    object: 'list',
    data: deps.speech.voices().map(({ engineId, voice }) => ({
      id: voice.name,
      object: 'voice',
      name: voice.name,
      engine: engineId,
      backend: voice.backend,
      languages: voice.languages,
      sample_rate: voice.sampleRate,
      speakers: voice.speakers,
      default: voice.name === fallback,
    })),
    openai_voices: openai,
  };
}

/** Always 200 while the process serves (liveness); `ready` says whether the default models exist. */
async function health(deps: HttpDeps) {
  const asr = deps.speech.asrModels().length ? deps.speech.pickAsr({}) : undefined;
  const tts = deps.speech.voices().length ? deps.speech.pickVoice() : undefined;
  const checks = {
    asr: asr ? { model: asr.info.name, installed: true, loaded: asr.loaded } : { model: null, installed: false, loaded: false },
    tts: tts ? { model: tts.voice.name, installed: true, loaded: tts.engine.loaded } : { model: null, installed: false, loaded: false },
    ffmpeg: await deps.ffmpeg.available(),
  };
  const ready = checks.asr.installed && checks.tts.installed;
  return { status: 'ok', ready, uptime_s: deps.stats.snapshot().uptimeSeconds, models: checks };
}

function metrics(deps: HttpDeps): string {
  return deps.metrics.render({ stats: deps.stats.snapshot(), models: deps.speech.loadedModels(), inFlight: deps.limiter.snapshot() });
}
