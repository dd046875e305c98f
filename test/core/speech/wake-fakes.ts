/**
 * A scripted wake engine for the logic tests of the core wake code: it "detects" a word whenever
 * a chunk holds a sample equal to that word's marker value, at the audio time of that sample.
 */
import type { WakeDetection, WakeEngine, WakeModelInfo, WakeSession, WakeSessionOptions } from '../../../src/engines/wake/wake.js';
import { resolveSessionNames } from '../../../src/engines/wake/wake-names.js';
import type { WakeSource } from '../../../src/core/speech/wake-listener.js';
import { wakeCatalog, type WakeCatalogEntry } from '../../../src/core/speech/select-wake.js';

export function model(name: string, phrase = name): WakeModelInfo {
  return { name, phrase, description: phrase, languages: ['en'], version: null, backend: 'fake', attribution: { name: '', url: '' } };
}

export class FakeWakeEngine implements WakeEngine {
  readonly models: WakeModelInfo[];
  readonly loaded = true;
  readonly sessions: FakeSession[] = [];
  /** When set, opening a session fails with this error (a model that does not load). */
  failWith: Error | undefined;
  /** Sessions asked for, opened or not. */
  opens = 0;

  constructor(readonly markers: Record<string, number>) {
    this.models = Object.keys(markers).map((n) => model(n));
  }

  get sessionCount(): number {
    return this.sessions.filter((s) => !s.closed).length;
  }

  async createSession(options: WakeSessionOptions): Promise<WakeSession> {
    this.opens++;
    if (this.failWith) throw this.failWith;
    const session = new FakeSession(resolveSessionNames(this.models, options.names), this.markers, options.onDetection);
    this.sessions.push(session);
    return session;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.close();
  }
}

export class FakeSession implements WakeSession {
  closed = false;
  samples = 0;
  resets = 0;

  constructor(
    readonly names: string[],
    private readonly markers: Record<string, number>,
    private readonly onDetection: (d: WakeDetection) => void,
  ) {}

  async accept(samples: Float32Array): Promise<void> {
    samples.forEach((v, i) => {
      for (const name of this.names) {
        if (Math.abs(v - this.markers[name]!) < 1e-3) this.onDetection({ name, timestampMs: Math.round(((this.samples + i + 1) * 1000) / 16_000) });
      }
    });
    this.samples += samples.length;
  }

  reset(): void {
    this.samples = 0;
    this.resets++;
  }

  close(): void {
    this.closed = true;
  }
}

/** The installed wake engines as the speech service offers them to a listener; `change()` is a rescan. */
export class FakeWakeSource implements WakeSource {
  readonly #listeners = new Set<() => void>();
  leases = 0;
  isWakePending?: (names: readonly string[]) => boolean;

  constructor(
    public installed: Array<{ id: string; engine: WakeEngine }>,
    readonly defaultWakeModel: string | null = null,
  ) {}

  wakeCatalog(): WakeCatalogEntry[] {
    return wakeCatalog(this.installed);
  }

  lease(): () => void {
    this.leases++;
    let released = false;
    return () => {
      if (!released) this.leases--;
      released = true;
    };
  }

  onWakeChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  change(installed: Array<{ id: string; engine: WakeEngine }>): void {
    this.installed = installed;
    for (const fn of this.#listeners) fn();
  }
}
