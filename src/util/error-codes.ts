/**
 * The one registry of error codes: every `SAT_ERR_*` and `WY_ERR_*` code the daemon reports (to a
 * Wyoming peer as `error {text, code}`, to MQTT as a command `response`, over HTTP, in logs) is
 * declared here once, with the HTTP status a client should get for it and a short message
 * template. `SatelliteError` takes an {@link ErrorCode}, so the compiler rejects a code that is
 * not declared here; test/util/error-codes.test.ts checks that every code spelled anywhere in
 * src/ is declared and that every declared code is still used; the README's "Error codes" table is
 * rendered from this file by scripts/gen-config-docs.ts (and a test keeps the two in sync).
 *
 * It lives in util/ (design.md §2 places the registry in core/) because every layer throws coded
 * errors and util/ is the one folder all of them may import: engines (backends included) must not
 * import core/, and src/wyoming may import only itself and zod, which is why the protocol's codes
 * stay spelled out as `WyomingErrorCode` in wyoming/errors.ts and are declared here a second time
 * (the test asserts the two agree).
 *
 * Templates are for the README table and for errors built without a message; a thrown error keeps
 * its own specific message. `{detail}` (or any `{name}`) is a placeholder: {@link errorTemplate}
 * fills it, or drops it with the ": " before it when no value is given.
 */

/** The part of the daemon that raises a code. */
export type ErrorArea =
  | 'daemon'
  | 'cli'
  | 'wyoming'
  | 'audio'
  | 'engine'
  | 'stt'
  | 'tts'
  | 'wake'
  | 'satellite'
  | 'mqtt'
  | 'http'
  | 'models';

export interface ErrorCodeInfo {
  /** What an HTTP client should get for it (the OpenAI shim answers with this status). */
  readonly status: number;
  /** Short description of the error, `{detail}` standing for the specifics. */
  readonly template: string;
  readonly area: ErrorArea;
}

export const ERROR_CODES = {
  // The daemon as a whole.
  SAT_ERR_INTERNAL: { status: 500, area: 'daemon', template: 'internal error: {detail}' },
  SAT_ERR_ALREADY_RUNNING: { status: 409, area: 'daemon', template: 'another daemon already holds the state directory: {detail}' },
  SAT_ERR_PORT_IN_USE: { status: 409, area: 'daemon', template: 'a port the daemon listens on is taken (is another instance running?): {detail}' },
  SAT_ERR_CONFIG_INVALID: { status: 500, area: 'daemon', template: 'invalid configuration: {detail}' },
  SAT_ERR_SHUTTING_DOWN: { status: 503, area: 'daemon', template: 'the daemon is shutting down' },
  SAT_ERR_CANCELLED: { status: 499, area: 'daemon', template: 'the request was cancelled before it finished' },
  SAT_ERR_USAGE: { status: 400, area: 'cli', template: 'bad command-line usage: {detail}' },

  // Wyoming protocol (src/wyoming/errors.ts `WyomingErrorCode`) and the connection limits of its servers.
  WY_ERR_HEADER_TOO_LARGE: { status: 413, area: 'wyoming', template: 'frame header line is over the size limit' },
  WY_ERR_DATA_TOO_LARGE: { status: 413, area: 'wyoming', template: 'frame data block is over the size limit' },
  WY_ERR_PAYLOAD_TOO_LARGE: { status: 413, area: 'wyoming', template: 'frame payload is over the size limit' },
  WY_ERR_BAD_HEADER_JSON: { status: 400, area: 'wyoming', template: 'frame header line is not valid JSON' },
  WY_ERR_BAD_HEADER: { status: 400, area: 'wyoming', template: 'frame header is malformed: {detail}' },
  WY_ERR_MISSING_TYPE: { status: 400, area: 'wyoming', template: 'frame header has no "type" string' },
  WY_ERR_BAD_LENGTH: { status: 400, area: 'wyoming', template: 'data_length or payload_length is not a non-negative integer' },
  WY_ERR_BAD_DATA_JSON: { status: 400, area: 'wyoming', template: 'frame data block is not a JSON object' },
  WY_ERR_BAD_EVENT_DATA: { status: 400, area: 'wyoming', template: 'event data is invalid for its type: {detail}' },
  WY_ERR_DECODER_FAILED: { status: 500, area: 'wyoming', template: 'the frame decoder failed: {detail}' },
  WY_ERR_PROTOCOL: { status: 400, area: 'wyoming', template: 'the peer broke the Wyoming protocol: {detail}' },
  WY_ERR_FRAME_TIMEOUT: { status: 408, area: 'wyoming', template: 'a frame was not completed within the frame timeout' },
  WY_ERR_IDLE_TIMEOUT: { status: 408, area: 'wyoming', template: 'the connection was idle too long' },
  WY_ERR_CONNECTION_EVICTED: { status: 503, area: 'wyoming', template: 'the connection was closed to make room for another' },
  WY_ERR_TOO_MANY_CONNECTIONS: { status: 429, area: 'wyoming', template: 'too many connections: {detail}' },

  // Audio in and out.
  SAT_ERR_AUDIO_FORMAT: { status: 400, area: 'audio', template: 'audio format not supported: {detail}' },
  SAT_ERR_AUDIO_CHUNK_TOO_LONG: { status: 413, area: 'audio', template: 'one audio chunk is longer than the per-chunk limit' },
  SAT_ERR_BAD_WAV: { status: 400, area: 'audio', template: 'not a readable WAV file: {detail}' },
  SAT_ERR_AUDIO_DEVICE: { status: 503, area: 'audio', template: 'the audio device failed or is unavailable: {detail}' },
  SAT_ERR_FFMPEG: { status: 500, area: 'audio', template: 'ffmpeg failed: {detail}' },

  // Engines and the models they load.
  SAT_ERR_ENGINE_BUSY: { status: 429, area: 'engine', template: 'the engine is busy: too many requests waiting' },
  SAT_ERR_ENGINE_FAILED: { status: 500, area: 'engine', template: 'the engine failed: {detail}' },
  SAT_ERR_ENGINE_CLOSED: { status: 503, area: 'engine', template: 'the engine was closed' },
  SAT_ERR_SESSION_CLOSED: { status: 409, area: 'engine', template: 'the session is already finished' },
  SAT_ERR_MODEL_NOT_FOUND: { status: 404, area: 'engine', template: 'model not found: {detail}' },
  SAT_ERR_MODEL_LOAD: { status: 500, area: 'engine', template: 'the model cannot be loaded: {detail}' },
  SAT_ERR_MODEL_INVALID: { status: 500, area: 'engine', template: 'not a valid model file: {detail}' },
  SAT_ERR_MODEL_UNSUPPORTED: { status: 500, area: 'engine', template: 'model type not supported: {detail}' },
  SAT_ERR_VOSK_LIBRARY: { status: 500, area: 'engine', template: 'libvosk could not be loaded: {detail}' },
  SAT_ERR_ESPEAK_DATA_MISSING: { status: 500, area: 'engine', template: 'espeak-ng data is missing: {detail}' },

  // Speech-to-text.
  SAT_ERR_MODEL_PENDING: { status: 503, area: 'stt', template: 'the model is still downloading; try again when it is installed' },
  SAT_ERR_UNSUPPORTED_LANGUAGE: { status: 400, area: 'stt', template: 'no installed model supports the language: {detail}' },
  SAT_ERR_UNSUPPORTED_TASK: { status: 400, area: 'stt', template: 'no installed model can do the task (transcribe or translate): {detail}' },
  SAT_ERR_UTTERANCE_TOO_LONG: { status: 413, area: 'stt', template: 'the audio is longer than the utterance limit' },
  SAT_ERR_NO_AUDIO_START: { status: 400, area: 'stt', template: 'audio-chunk before audio-start' },

  // Text-to-speech.
  SAT_ERR_TTS_UNKNOWN_VOICE: { status: 400, area: 'tts', template: 'no installed voice by that name or for that language: {detail}' },
  SAT_ERR_TTS_UNKNOWN_SPEAKER: { status: 400, area: 'tts', template: 'the voice has no such speaker: {detail}' },
  SAT_ERR_TTS_NO_VOICES: { status: 503, area: 'tts', template: 'no text-to-speech voice is installed' },
  SAT_ERR_TTS_EMPTY_TEXT: { status: 400, area: 'tts', template: 'nothing to say: the text is empty' },
  SAT_ERR_TTS_TEXT_TOO_LONG: { status: 400, area: 'tts', template: 'the text is longer than tts.max_text_chars' },
  SAT_ERR_TTS_NO_STREAM: { status: 400, area: 'tts', template: 'synthesize-chunk or synthesize-stop without synthesize-start' },
  SAT_ERR_TTS_ENGINE: { status: 500, area: 'tts', template: 'speech synthesis failed: {detail}' },

  // Wake words.
  SAT_ERR_WAKE_MODEL_NOT_FOUND: { status: 404, area: 'wake', template: 'no installed wake model by that name: {detail}' },
  SAT_ERR_WAKE_FAILED: { status: 500, area: 'wake', template: 'wake word detection failed: {detail}' },
  SAT_ERR_KWS_KEYWORD: { status: 500, area: 'wake', template: 'unusable keyword-spotter phrase: {detail}' },

  // The voice satellite.
  SAT_ERR_SATELLITE_BUSY: { status: 409, area: 'satellite', template: 'the satellite is busy: {detail}' },
  SAT_ERR_SPEAK_INTERRUPTED: { status: 409, area: 'satellite', template: "Home Assistant's audio interrupted the announcement" },
  SAT_ERR_NO_SPEAKER: { status: 409, area: 'satellite', template: 'the satellite has no speaker configured' },
  SAT_ERR_NO_LOCAL_WAKE: { status: 409, area: 'satellite', template: 'the satellite does not run local wake word detection in this mode' },
  SAT_ERR_BAD_VOLUME: { status: 400, area: 'satellite', template: 'volume must be a number from 0 to 100' },
  SAT_ERR_SOUND: { status: 500, area: 'satellite', template: 'a feedback sound file cannot be used: {detail}' },

  // MQTT.
  SAT_ERR_MQTT_AUTH: { status: 502, area: 'mqtt', template: 'the MQTT broker refused the credentials' },
  SAT_ERR_MQTT_REFUSED: { status: 502, area: 'mqtt', template: 'the MQTT broker refused the connection: {detail}' },
  SAT_ERR_MQTT_CONNECTION: { status: 502, area: 'mqtt', template: 'MQTT connection problem: {detail}' },
  SAT_ERR_MQTT_PASSWORD_FILE: { status: 500, area: 'mqtt', template: 'mqtt.password_file cannot be read' },
  SAT_ERR_MQTT_TLS_FILE: { status: 500, area: 'mqtt', template: 'an mqtt.tls file cannot be read: {detail}' },
  SAT_ERR_MQTT_BAD_JSON: { status: 400, area: 'mqtt', template: 'command is not a JSON object' },
  SAT_ERR_MQTT_BAD_VALUE: { status: 400, area: 'mqtt', template: 'command value has the wrong type: {detail}' },
  SAT_ERR_MQTT_OUT_OF_RANGE: { status: 400, area: 'mqtt', template: 'command value is out of range: {detail}' },
  SAT_ERR_MQTT_COMMAND_TOO_LARGE: { status: 413, area: 'mqtt', template: 'command payload is over the size limit' },
  SAT_ERR_MQTT_UNKNOWN_COMMAND: { status: 404, area: 'mqtt', template: 'no such command: {detail}' },
  SAT_ERR_MQTT_NO_SATELLITE: { status: 409, area: 'mqtt', template: 'the command needs the satellite, which is not configured' },
  SAT_ERR_MQTT_NO_SUPERVISOR: { status: 409, area: 'mqtt', template: 'restart needs a service manager that starts the daemon again' },
  SAT_ERR_MQTT_COMMAND_FAILED: { status: 500, area: 'mqtt', template: 'the command failed: {detail}' },

  // The OpenAI-compatible HTTP shim (its envelope's `code` is OpenAI's own string where one exists).
  SAT_ERR_BAD_MULTIPART: { status: 400, area: 'http', template: 'malformed multipart/form-data body: {detail}' },
  SAT_ERR_WEB_TOO_MANY_VIEWERS: { status: 503, area: 'http', template: 'too many browsers watch the live view: {detail}' },
  SAT_ERR_HTTP_TLS: { status: 500, area: 'http', template: 'the HTTPS certificate cannot be used: {detail}' },
  SAT_ERR_REALTIME_NO_TEXT: { status: 400, area: 'http', template: 'the daemon speaks text it is given and generates none: {detail}' },
  SAT_ERR_REALTIME_TOO_MANY_SESSIONS: { status: 429, area: 'http', template: 'too many Realtime sessions are open' },
  SAT_ERR_REALTIME_SLOW_CLIENT: { status: 503, area: 'http', template: 'a Realtime client stopped reading its events' },

  // Model management (catalogue, pull, install, import).
  SAT_ERR_MODEL_UNKNOWN: { status: 404, area: 'models', template: 'not a model or preset of the catalogue: {detail}' },
  SAT_ERR_MODEL_LICENCE_NOT_ACCEPTED: { status: 409, area: 'models', template: 'the licence of the model must be accepted before it is pulled: {detail}' },
  SAT_ERR_MODEL_PULL_RUNNING: { status: 409, area: 'models', template: 'a model pull is already running: {detail}' },
  SAT_ERR_MODEL_PULL_OFFLINE: { status: 409, area: 'models', template: 'models.offline is set: nothing is downloaded' },
  SAT_ERR_MODEL_CATALOGUE: { status: 500, area: 'models', template: 'the model catalogue is invalid: {detail}' },
  SAT_ERR_MODEL_EXISTS: { status: 409, area: 'models', template: 'a model by that name is installed already' },
  SAT_ERR_MODEL_IN_USE: { status: 409, area: 'models', template: 'other installed models need this one: {detail}' },
  SAT_ERR_MODEL_MODIFIED: { status: 409, area: 'models', template: 'installed files no longer match the lock file: {detail}' },
  SAT_ERR_BAD_MODEL_NAME: { status: 400, area: 'models', template: 'unusable model name: {detail}' },
  SAT_ERR_MODEL_CONVERT: { status: 500, area: 'models', template: 'the model cannot be converted: {detail}' },
  SAT_ERR_MODEL_SKIPPED: { status: 500, area: 'models', template: 'skipped because a model it needs failed' },
  SAT_ERR_MODEL_NO_SPACE: { status: 507, area: 'models', template: 'not enough free disk space for the model' },
  SAT_ERR_MODEL_LOCK_INVALID: { status: 500, area: 'models', template: 'the models lock file is damaged' },
  SAT_ERR_MODEL_DOWNLOAD: { status: 502, area: 'models', template: 'the download failed: {detail}' },
  SAT_ERR_MODEL_DOWNLOAD_HTTP: { status: 502, area: 'models', template: 'the download server answered with an error status: {detail}' },
  SAT_ERR_MODEL_DOWNLOAD_NOT_FOUND: { status: 502, area: 'models', template: 'the download server does not have the file: {detail}' },
  SAT_ERR_MODEL_DOWNLOAD_TIMEOUT: { status: 504, area: 'models', template: 'the download server sent nothing for too long' },
  SAT_ERR_MODEL_OFFLINE: { status: 503, area: 'models', template: 'cannot reach the download server: no network or the host is down' },
  SAT_ERR_MODEL_PROXY: { status: 502, area: 'models', template: 'the proxy is invalid or refused the download: {detail}' },
  SAT_ERR_MODEL_TLS: { status: 502, area: 'models', template: 'the download server presented an untrusted certificate' },
  SAT_ERR_MODEL_HASH_MISMATCH: { status: 502, area: 'models', template: 'a downloaded file does not match its pinned hash: {detail}' },
  SAT_ERR_MODEL_SIZE_MISMATCH: { status: 502, area: 'models', template: 'a download is larger than the catalogue says' },
  SAT_ERR_MODEL_ARCHIVE: { status: 502, area: 'models', template: 'the model archive cannot be used: {detail}' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The HTTP status for a code; 500 for anything not in the registry. */
export function httpStatusOf(code: string): number {
  return isErrorCode(code) ? ERROR_CODES[code].status : 500;
}

/** The code's template with its placeholders filled from `values`; an unfilled one is dropped with the ": " before it. */
export function errorTemplate(code: ErrorCode, values: Readonly<Record<string, string>> = {}): string {
  return ERROR_CODES[code].template.replace(/(:\s*)?\{(\w+)\}/g, (_, sep: string | undefined, name: string) => {
    const value = values[name];
    return value === undefined ? '' : `${sep ?? ''}${value}`;
  });
}

export const ERROR_TABLE_START = '<!-- error-codes:start -->';
export const ERROR_TABLE_END = '<!-- error-codes:end -->';

/** The README's table of every code (markdown), in registry order. */
export function renderErrorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => `| \`${code}\` | ${info.status} | ${info.template.replaceAll('|', '\\|')} |`);
  return ['| code | HTTP status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `readme` with the text between the error-code markers replaced by {@link renderErrorCodeTable}; throws without the markers. */
export function withErrorCodeTable(readme: string): string {
  const start = readme.indexOf(ERROR_TABLE_START);
  const end = readme.indexOf(ERROR_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README has no ${ERROR_TABLE_START} … ${ERROR_TABLE_END} block`);
  return `${readme.slice(0, start + ERROR_TABLE_START.length)}\n${renderErrorCodeTable()}\n${readme.slice(end)}`;
}
