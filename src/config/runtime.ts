/** Resolving an engine's runtime knobs: the `engine` defaults, then each override layer in turn. */
import os from 'node:os';
import type { EngineRuntimeOptions } from '../engines/types.js';
import type { Config } from './schema.js';
import type { RuntimeOverrides } from './sections/common.js';

export function resolveRuntime(config: Readonly<Config>, ...layers: Array<RuntimeOverrides | undefined>): EngineRuntimeOptions {
  const e = config.engine;
  const pick = <K extends keyof RuntimeOverrides>(key: K, fallback: NonNullable<RuntimeOverrides[K]>): NonNullable<RuntimeOverrides[K]> => {
    let value = fallback;
    for (const layer of layers) {
      const v = layer?.[key];
      if (v !== undefined && v !== null) value = v as NonNullable<RuntimeOverrides[K]>;
    }
    return value;
  };
  return {
    provider: pick('provider', e.provider),
    numThreads: pick('num_threads', e.num_threads),
    idleUnloadSeconds: pick('idle_unload_s', e.idle_unload_s),
    maxQueue: pick('max_queue', e.max_queue ?? config.provider.max_connections),
    preload: pick('preload', e.preload),
  };
}

/** Parallel copies of a speech-to-text model: as configured, else as many as the cores hold at `numThreads` each. */
export function asrWorkers(config: Readonly<Config>, numThreads: number): number {
  return config.stt.workers ?? Math.max(1, Math.floor(os.availableParallelism() / Math.max(1, numThreads)));
}
