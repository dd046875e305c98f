/**
 * At most N HTTP requests per engine at once; the next one is refused at once with 429 and a
 * Retry-After instead of queueing behind a slow model. A slot is held until its response is done.
 */
import { HttpError } from './http-errors.js';

export class EngineLimiter {
  readonly #active = new Map<string, number>();

  constructor(
    readonly maxConcurrent: number,
    readonly retryAfterSeconds: number,
  ) {}

  /** Takes a slot for `engine` or throws 429; the returned function frees it (once). */
  acquire(engine: string): () => void {
    const active = this.#active.get(engine) ?? 0;
    if (active >= this.maxConcurrent) {
      throw new HttpError(429, `too many requests for '${engine}' at once (limit ${this.maxConcurrent}); retry shortly`, {
        code: 'rate_limit_exceeded',
        headers: { 'Retry-After': String(this.retryAfterSeconds) },
      });
    }
    this.#active.set(engine, active + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#active.get(engine) ?? 1) - 1;
      if (now <= 0) this.#active.delete(engine);
      else this.#active.set(engine, now);
    };
  }

  /** Requests running per engine (for /metrics). */
  snapshot(): Map<string, number> {
    return new Map(this.#active);
  }
}
