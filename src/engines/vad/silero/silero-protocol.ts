/** The Silero VAD model's fixed framing. */

export const SILERO_SAMPLE_RATE = 16_000;
/** Samples per probability window at {@link SILERO_SAMPLE_RATE}. */
export const SILERO_WINDOW = 512;
