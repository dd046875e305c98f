/** Starts the wake part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startWake(_context: DaemonContext): Promise<void> {
  // filled in by the wake feature
}
