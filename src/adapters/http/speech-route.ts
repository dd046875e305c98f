/**
 * POST /v1/audio/speech: JSON in, audio out as it is synthesized, either as chunked bytes
 * (`stream_format: audio`) or as `speech.audio.delta` / `speech.audio.done` server-sent events.
 * A WAV asked for without `stream_format` is not streamed: it is sent whole once synthesized,
 * with a header stating its real length (a streamed WAV's header has an open length, which file
 * tools read as a day-long file). The text goes through the speech service exactly as Wyoming's
 * does (markdown and markup cleaned, sentence by sentence, cached). Nothing is sent until the
 * first audio exists, so a failure before that still gets an envelope.
 */
import type { HttpDeps } from './http-deps.js';
import { badRequest, HttpError, missingParameter, requestError } from './http-errors.js';
import type { Exchange, Route } from './http-server.js';
import { resolveVoice } from './model-resolver.js';
import type { VoiceChoice } from '../../core/speech/select-voice.js';
import { pcmToFloatMono } from '../../audio/pcm.js';
import { JSON_SETTING, readJsonBody } from './request-body.js';
import { checkParameters, SPEECH_PARAMETERS } from './request-params.js';
import { endResponse, SseWriter, writeChunk } from './respond.js';
import { CONTENT_TYPES, createEncoder, isEncodedFormat, NATIVE_FORMATS, SPEECH_FORMATS, type SpeechFormat } from './speech-encoder.js';

/** What the speech service hands out: 16-bit mono (the rate is the voice's; only the layout matters here). */
const PCM16 = { rate: 16_000, width: 2, channels: 1 };
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;
/** OpenAI's own limit on `input`. */
export const OPENAI_MAX_INPUT_CHARS = 4096;
/** Sent by the live view when it plays a listed reply again: not reported as a new reply. */
export const REPLAY_HEADER = 'x-satellite-replay';

interface SpeechRequest {
  input: string;
  voice: VoiceChoice;
  format: SpeechFormat;
  speed: number;
  sse: boolean;
  /** `stream_format` was given: audio goes out as it is made. */
  streamed: boolean;
}

export function speechRoutes(deps: HttpDeps): Route[] {
  return [{ method: 'POST', path: '/v1/audio/speech', name: 'speech', handle: (x) => handle(deps, x) }];
}

async function handle(deps: HttpDeps, x: Exchange): Promise<void> {
  const body = await readJsonBody(x.req, deps.config.http.max_json_bytes, JSON_SETTING);
  const request = await parseRequest(deps, body);
  const { engineId, voice } = request.voice;
  const release = deps.limiter.acquire(`tts:${engineId}`);
  x.res.on('close', release);
  if (!x.req.headers[REPLAY_HEADER]) deps.activity.reply(request.input, voice.name);

  const sse = request.sse ? new SseWriter(x.res) : undefined;
  // Only WAV has a length in its header; the other formats stream either way.
  const whole = request.format === 'wav' && !request.streamed ? ([] as Buffer[]) : undefined;
  let audioSeconds = 0;
  const output = (bytes: Buffer) => {
    if (sse) {
      sse.start({ 'X-Voice': voice.name });
      void sse.send({ type: 'speech.audio.delta', audio: bytes.toString('base64') });
      return;
    }
    if (whole) {
      whole.push(bytes);
      return;
    }
    if (!x.res.headersSent) {
      x.res.writeHead(200, { 'Content-Type': CONTENT_TYPES[request.format], 'X-Voice': voice.name, 'Transfer-Encoding': 'chunked' });
    }
    void writeChunk(x.res, bytes);
  };
  const encoder = createEncoder(request.format, voice.sampleRate, deps.ffmpeg, output, { streamed: !whole });
  x.signal.addEventListener('abort', () => encoder.abort(), { once: true });
  const started = performance.now();
  try {
    await deps.speech.speak(request.input, {
      start: async () => undefined,
      chunk: async (pcm) => {
        const samples = pcmToFloatMono(pcm, PCM16);
        audioSeconds += samples.length / voice.sampleRate;
        encoder.push(samples);
      },
      stop: async () => undefined,
    }, { voice: { name: voice.name, speaker: request.voice.speaker }, speed: request.speed, signal: x.signal });
    await encoder.end();
  } catch (err) {
    encoder.abort();
    if (!sse || !x.res.headersSent) throw err;
    await sse.fail({ ...requestError(err, x.signal, deps.config.http.retry_after_s).body(), type: 'error' });
    return;
  }
  deps.metrics.recordRtf('tts', voice.name, audioSeconds, (performance.now() - started) / 1000);
  if (sse) {
    sse.start({ 'X-Voice': voice.name });
    const words = request.input.split(/\s+/).filter(Boolean).length;
    await sse.send({ type: 'speech.audio.done', usage: { input_tokens: words, output_tokens: 0, total_tokens: words } });
    sse.end();
    return;
  }
  if (whole) {
    const body = Buffer.concat(whole);
    if (x.res.headersSent || x.res.writableEnded || x.res.destroyed) return;
    x.res.writeHead(200, { 'Content-Type': CONTENT_TYPES[request.format], 'X-Voice': voice.name, 'Content-Length': body.length });
    x.res.end(body);
    return;
  }
  if (!x.res.headersSent) x.res.writeHead(200, { 'Content-Type': CONTENT_TYPES[request.format], 'X-Voice': voice.name });
  endResponse(x.res);
}

async function parseRequest(deps: HttpDeps, body: Record<string, unknown>): Promise<SpeechRequest> {
  checkParameters(Object.keys(body), SPEECH_PARAMETERS);
  const input = body['input'];
  if (input === undefined || input === null || input === '') throw missingParameter('input');
  if (typeof input !== 'string') throw badRequest('input must be a string', 'input');
  const maxChars = Math.min(OPENAI_MAX_INPUT_CHARS, deps.config.tts.max_text_chars);
  if (input.length > maxChars) throw badRequest(`input is longer than ${maxChars} characters`, 'input', 'string_above_max_length');
  const model = optionalString(body, 'model');
  const rawVoice = body['voice'];
  const voiceName =
    typeof rawVoice === 'object' && rawVoice !== null ? optionalString(rawVoice as Record<string, unknown>, 'id') : optionalString(body, 'voice');
  const voice = resolveVoice(deps.speech, deps.config, model, voiceName);

  const ffmpeg = await deps.ffmpeg.available();
  const format = (optionalString(body, 'response_format') ?? (ffmpeg ? 'mp3' : 'wav')) as SpeechFormat;
  const available = ffmpeg ? SPEECH_FORMATS : NATIVE_FORMATS;
  if (!SPEECH_FORMATS.includes(format)) {
    throw badRequest(`response_format '${format}' is unknown; available here: ${available.join(', ')}`, 'response_format');
  }
  if (isEncodedFormat(format) && !ffmpeg) {
    throw badRequest(
      `response_format '${format}' needs ffmpeg, which is not installed (looked for '${deps.ffmpeg.program}'); available here: ${available.join(', ')}`,
      'response_format',
      'unsupported_format',
    );
  }
  const speed = body['speed'] ?? 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw badRequest(`speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}`, 'speed');
  }
  const asked = optionalString(body, 'stream_format');
  const streamFormat = asked ?? 'audio';
  if (streamFormat !== 'audio' && streamFormat !== 'sse') throw badRequest("stream_format must be 'audio' or 'sse'", 'stream_format');
  return { input, voice, format, speed, sse: streamFormat === 'sse', streamed: asked !== undefined };
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${key} must be a string`, { code: 'invalid_value', param: key });
  return value;
}
