/**
 * POST /v1/audio/transcriptions and /v1/audio/translations: a multipart upload is read within the
 * size limit, decoded, run through the chosen engine and answered in the requested format, or as
 * server-sent `transcript.text.delta` / `transcript.text.done` events with `stream=true`. Every
 * format comes from the same decode; parameters OpenAI does not define are refused.
 */
import type { AsrEngine, AsrTask } from '../../engines/asr/asr.js';
import { decodeUpload } from './audio-input.js';
import type { HttpDeps } from './http-deps.js';
import { badRequest, HttpError, missingParameter, requestError } from './http-errors.js';
import type { Exchange, Route } from './http-server.js';
import { resolveAsr } from './model-resolver.js';
import { readMultipart, type Upload } from './request-body.js';
import { sendText, SseWriter } from './respond.js';
import type { Transcript } from '../../core/speech/file-transcription.js';
import { checkParameters, TRANSCRIPTION_PARAMETERS, TRANSLATION_PARAMETERS } from './request-params.js';
import { renderTranscript, RESPONSE_FORMATS, type Granularity, type ResponseFormat } from './transcript-formats.js';

interface TranscriptionRequest {
  engine: AsrEngine;
  format: ResponseFormat;
  granularities: Granularity[];
  language: string | undefined;
  stream: boolean;
}

export function transcriptionRoutes(deps: HttpDeps): Route[] {
  return [
    { method: 'POST', path: '/v1/audio/transcriptions', name: 'transcriptions', handle: (x) => handle(deps, x, 'transcribe') },
    { method: 'POST', path: '/v1/audio/translations', name: 'translations', handle: (x) => handle(deps, x, 'translate') },
  ];
}

async function handle(deps: HttpDeps, x: Exchange, task: AsrTask): Promise<void> {
  const upload = await readMultipart(x.req, { maxFileBytes: deps.config.http.max_upload_bytes, fileField: 'file' });
  checkParameters(upload.names, task === 'translate' ? TRANSLATION_PARAMETERS : TRANSCRIPTION_PARAMETERS);
  if (!upload.file) throw missingParameter('file');
  // Answered already (shutdown or timeout while the upload came in): decode nothing.
  x.signal.throwIfAborted();
  const request = parseRequest(deps, upload, task);
  const { engine } = request;
  const wantsWords = request.format === 'verbose_json' && request.granularities.includes('word');
  if (wantsWords && engine.info.wordTimes === false) throw noWordTimes(engine);
  const release = deps.limiter.acquire(`asr:${engine.info.name}`);
  x.res.on('close', release);
  const audio = await decodeUpload(upload.file.data, engine.info.sampleRate, {
    ffmpeg: deps.ffmpeg,
    maxSeconds: deps.config.http.max_audio_s,
    signal: x.signal,
  });
  const options = { language: request.language, task, signal: x.signal };
  const started = performance.now();
  const record = (t: Transcript) => deps.metrics.recordRtf('asr', engine.info.name, t.duration, (performance.now() - started) / 1000);
  if (request.stream) return streamTranscript(deps, x, engine, audio.samples, options, record);
  const transcript = await deps.speech.transcribeFile(engine, audio.samples, options);
  // A one-language model needs no detection to say what it heard.
  transcript.language ??= request.language ?? (engine.info.languages.length === 1 ? engine.info.languages[0] : undefined);
  record(transcript);
  deps.activity.transcript(transcript.text, transcript.language ?? null);
  // Nothing heard has no words to time (an empty list); text without word times is refused.
  if (wantsWords && !transcript.words && transcript.text) throw noWordTimes(engine);
  const rendered = renderTranscript(request.format, transcript, task, request.granularities);
  sendText(x.res, 200, rendered.body, rendered.contentType, { 'X-Model': engine.info.name });
}

function parseRequest(deps: HttpDeps, upload: Upload, task: AsrTask): TranscriptionRequest {
  const field = (name: string) => upload.fields.get(name)?.at(-1)?.trim() || undefined;
  // A translation's language is the source's, which Whisper detects: it does not narrow the choice.
  const language = task === 'translate' ? undefined : field('language');
  const engine = resolveAsr(deps.speech, deps.config, field('model'), language, task);
  const format = (field('response_format') ?? 'json') as ResponseFormat;
  if (!RESPONSE_FORMATS.includes(format)) {
    throw badRequest(`response_format must be one of ${RESPONSE_FORMATS.join(', ')}`, 'response_format');
  }
  const granularities = [...(upload.fields.get('timestamp_granularities[]') ?? []), ...(upload.fields.get('timestamp_granularities') ?? [])]
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const g of granularities) {
    if (g !== 'word' && g !== 'segment') throw badRequest(`timestamp_granularities[] takes word or segment, not '${g}'`, 'timestamp_granularities[]');
  }
  const temperature = field('temperature');
  if (temperature !== undefined) {
    const value = Number(temperature);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw badRequest('temperature must be a number from 0 to 1', 'temperature');
  }
  const stream = /^(true|1)$/i.test(field('stream') ?? '');
  return { engine, format, granularities: granularities as Granularity[], language, stream };
}

/** Word timestamps asked of a model that gives no word times: refused rather than invented. */
function noWordTimes(engine: AsrEngine): HttpError {
  return new HttpError(400, `the model '${engine.info.name}' reports no word times; word timestamps come from the streaming and transducer recognisers and Vosk`, {
    code: 'word_timestamps_unsupported',
    param: 'timestamp_granularities[]',
  });
}

/** SSE: deltas as the partial text grows (never retracted), then the final text. */
async function streamTranscript(
  deps: HttpDeps,
  x: Exchange,
  engine: AsrEngine,
  samples: Float32Array,
  options: { language: string | undefined; task: AsrTask; signal: AbortSignal },
  record: (t: Transcript) => void,
): Promise<void> {
  const sse = new SseWriter(x.res);
  sse.start({ 'X-Model': engine.info.name });
  let sent = '';
  const delta = (partial: string) => {
    const text = partial.trimStart();
    if (!text.startsWith(sent) || text.length === sent.length) return;
    const piece = text.slice(sent.length);
    sent = text;
    void sse.send({ type: 'transcript.text.delta', delta: piece });
  };
  try {
    const transcript = await deps.speech.transcribeFile(engine, samples, { ...options, onPartial: delta });
    record(transcript);
    deps.activity.transcript(transcript.text, transcript.language ?? null);
    delta(transcript.text);
    await sse.send({ type: 'transcript.text.done', text: transcript.text, usage: tokenUsage(transcript) });
    sse.end();
  } catch (err) {
    const error = requestError(err, x.signal, deps.config.http.retry_after_s);
    await sse.fail({ ...error.body(), type: 'error' });
  }
}

/**
 * The spec's usage for the streamed `transcript.text.done` (token usage): the output is the
 * transcript's tokens; nothing is billed for input, and the audio is not turned into tokens.
 */
function tokenUsage(t: Transcript) {
  return {
    type: 'tokens' as const,
    input_tokens: 0,
    input_token_details: { text_tokens: 0, audio_tokens: 0 },
    output_tokens: t.outputTokens,
    total_tokens: t.outputTokens,
  };
}
