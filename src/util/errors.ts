/**
 * Daemon-wide coded errors. Every error the daemon reports to a peer or a log carries a stable
 * `code` string and keeps its `cause`; protocol framing errors live in `wyoming/errors.ts`.
 */
export class SatelliteError extends Error {
  override readonly name: string = 'SatelliteError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The code of any error-like value, for logs and `error {text, code}` events. */
export function errorCode(err: unknown, fallback = 'SAT_ERR_INTERNAL'): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return fallback;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
