/**
 * Opens onnxruntime-node sessions for the wake and VAD backends with the configured thread count
 * and execution provider. CUDA is tried first when asked for; an onnxruntime build without it
 * falls back to CPU with one warning, as the daemon promises at start-up.
 *
 * The native runtime (about 20 MB of shared library, plus its thread pools) is loaded on first
 * use, not when the daemon starts: a daemon whose wake and VAD models are never used never maps it.
 */
import type * as ort from 'onnxruntime-node';
import { SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { ExecutionProvider } from '../types.js';

export interface OrtRuntime {
  provider: ExecutionProvider;
  numThreads: number;
}

/** The onnxruntime-node module as loaded (its value side: InferenceSession, Tensor). */
export type OrtModule = typeof ort;

let cudaWarned = false;
let loading: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once; every caller shares the same module. */
export function loadOrt(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: OrtModule }).default ?? m) as OrtModule);
  return loading;
}

export async function openOrtSession(file: string, runtime: OrtRuntime, log?: Logger): Promise<ort.InferenceSession> {
  const { InferenceSession } = await loadOrt();
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: runtime.numThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (runtime.provider === 'cuda') {
    try {
      return await InferenceSession.create(file, { ...base, executionProviders: ['cuda', 'cpu'] });
    } catch (err) {
      if (!cudaWarned) log?.warn({ err: (err as Error).message }, 'onnxruntime-node has no usable CUDA here; wake models run on CPU');
      cudaWarned = true;
    }
  }
  try {
    return await InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
  } catch (err) {
    throw new SatelliteError('SAT_ERR_MODEL_LOAD', `cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export type { ort };
