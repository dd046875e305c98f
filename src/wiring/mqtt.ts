/** Starts the mqtt part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startMqtt(_context: DaemonContext): Promise<void> {
  // filled in by the mqtt feature
}
