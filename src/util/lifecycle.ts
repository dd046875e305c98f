/**
 * Ordered start/stop of the daemon's parts and signal handling: the first SIGTERM/SIGINT stops
 * everything in reverse start order within a bound, then exits 0; a second signal forces exit.
 */
import type { Logger } from './logger.js';
import { errorCode } from './errors.js';

export const SHUTDOWN_TIMEOUT_MS = 10_000;
const FORCED_EXIT_CODE = 130;

type Stopper = { name: string; stop: () => Promise<void> | void };

export class Lifecycle {
  readonly #stoppers: Stopper[] = [];
  #stopping: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers a part to stop; parts stop in reverse order of registration. */
  onStop(name: string, stop: () => Promise<void> | void): void {
    this.#stoppers.push({ name, stop });
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  stop(timeoutMs = SHUTDOWN_TIMEOUT_MS): Promise<void> {
    this.#stopping ??= this.#stopAll(timeoutMs);
    return this.#stopping;
  }

  async #stopAll(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const { name, stop } of [...this.#stoppers].reverse()) {
      const left = Math.max(1, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(stop),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name} did not stop within ${left} ms`)), left);
          }),
        ]);
        this.log.debug({ part: name }, 'stopped');
      } catch (err) {
        this.log.warn({ err, part: name }, 'stop failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** SIGTERM/SIGINT → ordered stop → exit 0; a second signal exits at once. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        this.log.warn({ signal }, 'second signal: exiting now');
        exit(FORCED_EXIT_CODE);
        return;
      }
      this.log.info({ signal }, 'shutting down');
      void this.stop().then(() => {
        this.log.info('stopped');
        exit(0);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', (reason) => {
      this.log.error({ err: reason, code: errorCode(reason) }, 'unhandled promise rejection');
    });
    process.on('uncaughtException', (err) => {
      this.log.fatal({ err, code: errorCode(err) }, 'uncaught exception; exiting');
      exit(1);
    });
  }
}
