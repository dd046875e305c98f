/**
 * Inference threads yield to the event loop: each worker thread raises its own nice value before
 * it loads a model, and the native threads its runtime starts later inherit it. On a Pi's few
 * cores, a busy decoder then delays `describe`, health probes and wake audio far less, while the
 * decoders still get every cycle the event loop leaves idle.
 *
 * Linux keeps a nice value per thread; setpriority(2) with a thread id changes that thread only.
 * Elsewhere the call is skipped.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/** How much lower than the daemon's own priority inference threads run (nice +5: about a third of the CPU share when both want it). */
export const WORKER_NICE_DELTA = 5;

/** The calling thread's kernel id, or undefined where /proc does not tell it. */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Lowers the calling thread's priority by {@link WORKER_NICE_DELTA}; returns the new nice value, or undefined when it could not. */
export function lowerThreadPriority(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const tid = threadId();
  if (tid === undefined) return undefined;
  try {
    const nice = Math.min(19, os.getPriority(tid) + WORKER_NICE_DELTA);
    os.setPriority(tid, nice);
    return nice;
  } catch {
    return undefined;
  }
}
