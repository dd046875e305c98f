/** Messages between the keyword-spotter engine and its worker thread. */

/** The narrow part of sherpa-onnx-node's KeywordSpotter config this project sets. */
export interface SpotterConfig {
  featConfig: { sampleRate: number; featureDim: number };
  modelConfig: {
    transducer: { encoder: string; decoder: string; joiner: string };
    tokens: string;
    numThreads: number;
    provider: string;
    debug: number;
  };
  keywordsBuf: string;
  keywordsBufSize: number;
  keywordsScore: number;
  keywordsThreshold: number;
  numTrailingBlanks: number;
  maxActivePaths: number;
}

export interface KwsWorkerData {
  config: SpotterConfig;
}

export type ToWorker =
  | { type: 'open'; id: number }
  | { type: 'accept'; id: number; seq: number; samples: Float32Array }
  | { type: 'reset'; id: number }
  | { type: 'close'; id: number }
  /** Exit once the messages before this one are handled (see runtime/worker-host.ts). */
  | { type: 'stop' };

export interface KwsHit {
  /** The `@` tag of the phrase. */
  keyword: string;
  /** Samples the stream had taken when the phrase was reported. */
  atSample: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'accepted'; id: number; seq: number; hits: KwsHit[] }
  | { type: 'error'; id: number; seq: number; message: string };
