/**
 * GET /v1/models (+ /v1/models/{id}), /v1/audio/voices, /health and /metrics: what is installed,
 * whether the default models are ready, and the counters Prometheus scrapes.
 */
import type { HttpDeps } from './http-deps.js';
import { HttpError } from './http-errors.js';
import type { Route } from './http-server.js';
import { OPENAI_VOICES } from './model-resolver.js';
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
        const model = modelList(deps).find((m) => m.id === id);
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
  for (const { voice } of deps.speech.voices()) {
    out.push({ id: voice.name, object: 'model', created, owned_by: OWNER, kind: 'tts', languages: voice.languages });
  }
  return out;
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
