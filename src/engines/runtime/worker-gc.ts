/**
 * Native objects a worker thread makes (sherpa-onnx streams) are freed only when their JavaScript
 * wrappers are collected, and a worker's small heap almost never triggers a collection by itself:
 * left alone, a recogniser worker's memory grows by about a quarter MB with every finished stream
 * and is never returned. A worker calls `droppedNative()` each time it lets go of such an object;
 * every {@link COLLECT_EVERY} calls it runs a full collection, which on a heap this small takes
 * about a millisecond.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const COLLECT_EVERY = 8;

// `gc` is only exposed to contexts created after the flag is set.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

let dropped = 0;

export function droppedNative(): void {
  if (++dropped % COLLECT_EVERY === 0) collect();
}
