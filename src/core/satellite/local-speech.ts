/**
 * The one way the satellite gets audio for a local announcement: handed in by whoever owns the
 * TTS engines, so the satellite never chooses voices itself.
 */
import type { PcmFormat } from '../../audio/pcm.js';

/**
 * Says `text`: calls `write` with PCM (any format; each call carries its own) as it is made,
 * resolves once all of it was written, rejects with a coded error (no voice, engine failure), and
 * stops early when `signal` aborts.
 */
export type LocalSpeech = (text: string, signal: AbortSignal, write: (pcm: Buffer, format: PcmFormat) => void) => Promise<void>;
