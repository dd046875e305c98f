/**
 * The shim's API key, kept only as its SHA-256 so comparisons take the same time whatever the
 * candidate (timingSafeEqual needs equal lengths). Shared by plain requests and WebSocket upgrades.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class ApiKey {
  readonly #hash: Buffer;

  constructor(key: string) {
    this.#hash = sha256(key);
  }

  /** The key an `Authorization: Bearer <key>` header carries, if it has that form. */
  static fromBearer(header: string | undefined): string | undefined {
    return /^Bearer\s+(.+)$/i.exec((header ?? '').trim())?.[1];
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.#hash);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
