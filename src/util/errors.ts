/**
 * Daemon-wide coded errors. Every error the daemon reports to a peer or a log carries a stable
 * `code` string and keeps its `cause`; protocol framing errors live in `wyoming/errors.ts`. Every
 * code is declared in `error-codes.ts`.
 */
import { errorTemplate, isErrorCode, type ErrorCode } from './error-codes.js';

export class SatelliteError extends Error {
  override readonly name: string = 'SatelliteError';
  readonly code: ErrorCode;

  /** `code` must be declared in util/error-codes.ts; without a `message` the code's template is used. */
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? errorTemplate(code), options);
    this.code = code;
  }
}

/**
 * The code of any error-like value, for logs and `error {text, code}` events; `fallback` (a
 * registered code, or '' to tell coded errors from uncoded ones) when it has none.
 */
export function errorCode(err: unknown, fallback: ErrorCode | '' = 'SAT_ERR_INTERNAL'): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return fallback;
}

/** Like {@link errorCode}, but only a code of the registry: `fallback` for any other (a Node errno, another library's). */
export function registeredErrorCode(err: unknown, fallback: ErrorCode): ErrorCode {
  const code = errorCode(err, fallback);
  return isErrorCode(code) ? code : fallback;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
