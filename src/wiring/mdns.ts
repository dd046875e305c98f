/** Starts the mdns part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startMdns(_context: DaemonContext): Promise<void> {
  // filled in by the mdns feature
}
