/**
 * Opens onnxruntime-node sessions for the wake backends with the configured thread count and
 * execution provider. CUDA is tried first when asked for; an onnxruntime build without it falls
 * back to CPU with one warning, as the daemon promises at start-up.
 */
import ort from 'onnxruntime-node';
import { SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { ExecutionProvider } from '../types.js';

export interface OrtRuntime {
  provider: ExecutionProvider;
  numThreads: number;
}

let cudaWarned = false;

export async function openOrtSession(file: string, runtime: OrtRuntime, log?: Logger): Promise<ort.InferenceSession> {
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: runtime.numThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (runtime.provider === 'cuda') {
    try {
      return await ort.InferenceSession.create(file, { ...base, executionProviders: ['cuda', 'cpu'] });
    } catch (err) {
      if (!cudaWarned) log?.warn({ err: (err as Error).message }, 'onnxruntime-node has no usable CUDA here; wake models run on CPU');
      cudaWarned = true;
    }
  }
  try {
    return await ort.InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
  } catch (err) {
    throw new SatelliteError('SAT_ERR_MODEL_LOAD', `cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export { ort };
