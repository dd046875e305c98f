/** One measured figure of a benchmark. */
export interface BenchResult {
  /** What was measured, e.g. "codec decode audio-chunk". */
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≥ 400000". */
  target?: string;
  /** Whether the target was met (absent when there is no target). */
  pass?: boolean;
  /** Anything worth printing beside the figure (model, clip, machine). */
  note?: string;
}

export type Bench = () => Promise<BenchResult[]>;
