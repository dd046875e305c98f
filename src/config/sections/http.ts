/** OpenAI-compatible HTTP shim (owned by the HTTP adapter). */
import { z } from 'zod';
import { host, port, positiveInt, seconds } from './common.js';
import { httpUiSection } from './http-ui.js';

/** OpenAI's own upload limit for audio files. */
const OPENAI_UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024;

const tlsSection = z.strictObject({
  cert_file: z.string().min(1).nullable().default(null).describe('PEM certificate (chain) to serve HTTPS and wss:// with; needs key_file'),
  key_file: z.string().min(1).nullable().default(null).describe('PEM private key of cert_file'),
  self_signed: z
    .boolean()
    .default(false)
    .describe('serve HTTPS with a self-signed certificate generated once into <state_dir>/tls (when no cert_file is set)'),
});

/** OpenAI Realtime over WebSocket at /v1/realtime. */
const realtimeSection = z.strictObject({
  enabled: z.boolean().default(true).describe('accept Realtime WebSocket sessions at /v1/realtime'),
  max_sessions: positiveInt.default(4).describe('Realtime sessions open at once; more are refused with 429'),
  max_message_bytes: positiveInt.default(4 * 1024 * 1024).describe('largest client event accepted (an append of 4 MiB carries ~60 s of 24 kHz audio)'),
  max_session_s: positiveInt.default(1800).describe('a session is closed after this many seconds'),
  max_buffered_bytes: positiveInt.default(8 * 1024 * 1024).describe('events queued to a client that does not read; past it the session is closed'),
});

export const httpSection = z.strictObject({
  enabled: z.boolean().default(false).describe('serve the OpenAI-compatible /v1/audio/* API'),
  host: host.default('127.0.0.1').describe('address to listen on; anything beyond loopback should have an api_key'),
  port: port.default(10800).describe('TCP port (0 = any free port)'),
  api_key: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('bearer token required when set (Authorization: Bearer …); prefer SATELLITE_HTTP__API_KEY'),
  cors_origins: z
    .array(z.string().min(1))
    .default([])
    .describe('browser origins allowed by CORS (e.g. http://localhost:3000, or "*"); empty = CORS off'),
  max_upload_bytes: positiveInt.default(OPENAI_UPLOAD_LIMIT_BYTES).describe('largest audio upload accepted (413 past it)'),
  max_audio_s: z.number().positive().default(900).describe('longest audio accepted in one transcription (413 past it)'),
  max_json_bytes: positiveInt.default(256 * 1024).describe('largest JSON request body accepted'),
  request_timeout_s: seconds.default(120).describe('a request that takes longer is cancelled (408 while uploading, 504 after); 0 = never'),
  max_concurrent: positiveInt.default(2).describe('requests served at once per engine; more get 429 with Retry-After'),
  retry_after_s: positiveInt.default(1).describe('Retry-After sent with 429'),
  max_connections: positiveInt.default(64).describe('open HTTP connections at once'),
  model_map: z
    .record(z.string(), z.string())
    .default({})
    .describe('request model name → installed model (OpenAI names such as whisper-1 or tts-1 otherwise map to the default)'),
  voice_map: z
    .record(z.string(), z.string())
    .default({})
    .describe('OpenAI voice name (alloy, echo, …) → installed voice; unmapped OpenAI voices use tts.default_voice'),
  ffmpeg: z
    .string()
    .min(1)
    .default('ffmpeg')
    .describe('ffmpeg program for mp3/ogg/opus/webm/flac/m4a input and mp3/opus/aac/flac output; wav and pcm need none'),
  tls: tlsSection.prefault({}),
  realtime: realtimeSection.prefault({}),
  ui: httpUiSection.prefault({}).describe('the live web view in the browser'),
});
