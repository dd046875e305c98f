/**
 * Runs `fn` when `signal` aborts, or at once when it already has: a listener added to an aborted
 * signal never fires, which is how work opened after its client left used to leak. Returns a
 * function that removes the listener (call it when the work ends first).
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
