/** Shared shapes for every engine kind. */

export interface Attribution {
  name: string;
  url: string;
}

/** What `info` needs to say about one installed model or voice. */
export interface ModelInfo {
  /** Stable unique name, used by clients to select it. */
  name: string;
  description: string;
  languages: string[];
  version: string | null;
  attribution: Attribution;
}

export type ExecutionProvider = 'cpu' | 'cuda';

/** Runtime knobs every engine takes (see the `engine` block of the config). */
export interface EngineRuntimeOptions {
  provider: ExecutionProvider;
  numThreads: number;
  /** Seconds idle before the model is released; 0 = never. */
  idleUnloadSeconds: number;
  /** Requests allowed to wait for a busy engine. */
  maxQueue: number;
  preload: boolean;
  /** Copies of the model (one worker each) that decode in parallel; 1 when absent (speech-to-text sets it). */
  workers?: number | undefined;
}
