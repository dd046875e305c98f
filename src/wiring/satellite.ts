/** Starts the satellite part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startSatellite(_context: DaemonContext): Promise<void> {
  // filled in by the satellite feature
}
