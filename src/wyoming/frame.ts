/**
 * The frame codec: an encoder laid out like the reference writer and a push decoder with size
 * caps. Neither touches a socket.
 */
export { DEFAULT_FRAME_LIMITS, WYOMING_VERSION, type Frame, type FrameLimits } from './frame-format.js';
export { encodeFrame } from './frame-encoder.js';
export { FrameDecoder, type DecodeResult } from './frame-decoder.js';
