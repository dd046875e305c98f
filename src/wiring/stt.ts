/** Starts the stt part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startStt(_context: DaemonContext): Promise<void> {
  // filled in by the stt feature
}
