/**
 * A bounded least-recently-used cache of synthesised sentences: (voice, speaker, speed, text) →
 * 16-bit PCM at the voice's rate. Repeated announcements ("The washing machine is done.") then
 * stream back at once, byte for byte the same. Bounded by entry count and by total bytes.
 */

export interface CachedAudio {
  rate: number;
  pcm: Buffer;
}

export interface TtsCacheOptions {
  maxEntries: number;
  maxBytes: number;
}

export function ttsCacheKey(voice: string, speaker: string | undefined, speed: number, text: string): string {
  return JSON.stringify([voice, speaker ?? null, speed, text]);
}

export class TtsCache {
  readonly #entries = new Map<string, CachedAudio>();
  readonly #options: TtsCacheOptions;
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(options: TtsCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CachedAudio | undefined {
    const entry = this.#entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, audio: CachedAudio): void {
    if (this.#options.maxEntries <= 0 || audio.pcm.length > this.#options.maxBytes) return;
    this.delete(key);
    this.#entries.set(key, audio);
    this.#bytes += audio.pcm.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#options.maxEntries && this.#bytes <= this.#options.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.pcm.length;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.pcm.length;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
