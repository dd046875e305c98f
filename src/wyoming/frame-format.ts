/** The untyped unit on the wire: a header line, an optional JSON data block, an optional payload. */
export interface Frame {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer | undefined;
}

/** Protocol version written in every header; readers ignore it, so it is informational. */
export const WYOMING_VERSION = '1.9.0';

export interface FrameLimits {
  /** Longest header line in bytes, newline excluded (Python's asyncio reader stops at 64 KiB). */
  maxHeaderBytes: number;
  maxDataBytes: number;
  maxPayloadBytes: number;
}

export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxDataBytes: 1024 * 1024,
  maxPayloadBytes: 4 * 1024 * 1024,
});
