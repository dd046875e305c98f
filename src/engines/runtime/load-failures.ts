/**
 * Remembered model-load failures of the wake engines. A file that cannot be loaded is not tried
 * again on every use (every audio chunk of a stream asked for it): the failure is kept with a
 * fingerprint (size and mtime) of the files it came from, and the same coded error is given back
 * until one of those files changes on disk; then the next use tries once more. A rescan builds
 * a new engine, which starts with nothing remembered.
 */
import { stat } from 'node:fs/promises';

interface Failure {
  error: Error;
  fingerprint: string;
  logged: boolean;
}

/** Size and mtime of each file (or that it is missing), as one comparable string. */
export async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const s = await stat(file);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    }),
  );
  return parts.join('|');
}

export class LoadFailures<K = string> {
  readonly #failures = new Map<K, Failure>();

  /**
   * Before loading `key` from `files`: throws the remembered error while the files are unchanged;
   * otherwise forgets any failure and returns the fingerprint to pass to `remember` if this
   * attempt fails too.
   */
  async check(key: K, files: readonly string[]): Promise<string> {
    const fingerprint = await fingerprintFiles(files);
    const failed = this.#failures.get(key);
    if (failed && failed.fingerprint === fingerprint) throw failed.error;
    this.#failures.delete(key);
    return fingerprint;
  }

  remember(key: K, fingerprint: string, error: Error): void {
    this.#failures.set(key, { error, fingerprint, logged: false });
  }

  has(key: K): boolean {
    return this.#failures.has(key);
  }

  /** True once per remembered failure: the caller that gets `true` logs it. */
  firstReport(key: K): boolean {
    const failed = this.#failures.get(key);
    if (!failed || failed.logged) return false;
    failed.logged = true;
    return true;
  }
}
