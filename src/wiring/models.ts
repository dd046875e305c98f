/** Starts the models part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startModels(_context: DaemonContext): Promise<void> {
  // filled in by the models feature
}
