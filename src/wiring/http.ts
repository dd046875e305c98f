/** Starts the http part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startHttp(_context: DaemonContext): Promise<void> {
  // filled in by the http feature
}
