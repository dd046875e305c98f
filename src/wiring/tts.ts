/** Starts the tts part of the daemon. */
import type { DaemonContext } from '../core/daemon-context.js';

export async function startTts(_context: DaemonContext): Promise<void> {
  // filled in by the tts feature
}
