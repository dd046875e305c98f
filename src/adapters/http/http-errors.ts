/**
 * Errors as OpenAI clients expect them: `{"error": {"message", "type", "param", "code"}}` with a
 * matching status. Daemon errors (coded SatelliteErrors) get the status their code has in the
 * registry (util/error-codes.ts) here, so every route answers the same way.
 */
import type { ServerResponse } from 'node:http';
import { httpStatusOf } from '../../util/error-codes.js';
import { errorCode, errorMessage } from '../../util/errors.js';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'timeout_error' | 'server_error';

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

export interface HttpErrorOptions {
  code: string;
  param?: string | null;
  type?: OpenAiErrorType;
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An answer for the client; `code` is the envelope's (OpenAI's string, or a daemon code passed on), not a registry code. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: string;
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: HttpErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.status = status;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  body(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultType(status: number): OpenAiErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 408 || status === 504) return 'timeout_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_value'): HttpError =>
  new HttpError(400, message, { code, param });

export const missingParameter = (param: string): HttpError =>
  new HttpError(400, `you must provide '${param}'`, { code: 'missing_required_parameter', param });

/**
 * Any thrown value as an HttpError with its code's status from the registry (the envelope's code
 * stays the daemon's, `rate_limit_exceeded` for a 429); uncoded or unknown failures become 500,
 * keeping their cause.
 */
export function toHttpError(err: unknown, retryAfterSeconds: number): HttpError {
  if (err instanceof HttpError) return err;
  const code = errorCode(err);
  const status = httpStatusOf(code);
  const headers: Record<string, string> = status === 429 ? { 'Retry-After': String(retryAfterSeconds) } : {};
  const message = status === 500 ? `internal error: ${errorMessage(err)}` : errorMessage(err);
  return new HttpError(status, message, { code: status === 429 ? 'rate_limit_exceeded' : code, headers, cause: err });
}

/** The code of the 503 a request gets when the daemon stops before it is answered. */
export const SHUTTING_DOWN = 'shutting_down';

/** The answer for requests cut short by shutdown (and new ones arriving while it drains). */
export function shuttingDown(): HttpError {
  return new HttpError(503, 'the server is shutting down; retry once it is back', { code: SHUTTING_DOWN, headers: { Connection: 'close' } });
}

/**
 * The error to report for a failed request: the reason it was aborted with when that is an answer
 * already (timeout, shutdown), else the failure itself mapped by {@link toHttpError}.
 */
export function requestError(err: unknown, signal: AbortSignal, retryAfterSeconds: number): HttpError {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return reason instanceof HttpError ? reason : toHttpError(err, retryAfterSeconds);
}

/** Writes the envelope unless a response has already started (then the connection is cut). */
export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    // Too late for a status: cutting the stream is the only signal left.
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.body());
  res.writeHead(error.status, {
    ...error.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
