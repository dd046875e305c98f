/**
 * Speaking a whole text with the installed voices, for callers outside the Wyoming service (the
 * satellite's "speak" command, the HTTP shim, `satellite speak`): picks the voice, splits the text
 * into sentences and streams 16-bit mono PCM at the voice's rate into a sink, exactly as the
 * Wyoming service does.
 */
import type { PcmFormat } from '../audio/pcm.js';
import type { TtsEngine } from '../engines/tts/tts.js';
import { SatelliteError } from '../util/errors.js';
import type { TtsCache } from './tts-cache.js';
import { TtsReply, type TtsAudioSink } from './tts-reply.js';
import { splitSentences } from './tts-sentences.js';
import { resolveVoice, type VoiceChoice } from './tts-voices.js';

/** Samples per chunk handed to the sink when the caller does not say. */
export const DEFAULT_SAMPLES_PER_CHUNK = 1024;

export interface SynthesizeTextOptions {
  text: string;
  /** Voice name; absent = `defaultVoice`, else the first installed. */
  voice?: string | null | undefined;
  speaker?: string | null | undefined;
  language?: string | null | undefined;
  defaultVoice?: string | null | undefined;
  speed?: number | undefined;
  maxTextChars?: number | undefined;
  samplesPerChunk?: number | undefined;
  cache?: TtsCache | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Synthesises `text` into `sink` (start, chunks, stop). Throws the coded errors of the Wyoming
 * service: unknown voice or speaker, empty text, text too long, engine failure, cancelled.
 */
export async function synthesizeText(
  engines: ReadonlyMap<string, TtsEngine>,
  options: SynthesizeTextOptions,
  sink: TtsAudioSink,
): Promise<{ choice: VoiceChoice; format: PcmFormat }> {
  const { text } = options;
  if (!text.trim()) throw new SatelliteError('SAT_ERR_TTS_EMPTY_TEXT', 'nothing to say: the text is empty');
  if (options.maxTextChars !== undefined && text.length > options.maxTextChars) {
    throw new SatelliteError('SAT_ERR_TTS_TEXT_TOO_LONG', `text is ${text.length} characters; the limit is ${options.maxTextChars}`);
  }
  const choice = resolveVoice(engines, { name: options.voice, speaker: options.speaker, language: options.language }, options.defaultVoice);
  const reply = new TtsReply({
    choice,
    sink,
    speed: options.speed ?? 1,
    samplesPerChunk: options.samplesPerChunk ?? DEFAULT_SAMPLES_PER_CHUNK,
    cache: options.cache,
    signal: options.signal,
  });
  for (const sentence of splitSentences(text)) reply.add(sentence);
  await reply.finish();
  return { choice, format: reply.format };
}

/** Synthesises `text` and returns all of its PCM at once (for a WAV file or an HTTP body). */
export async function synthesizeToPcm(
  engines: ReadonlyMap<string, TtsEngine>,
  options: SynthesizeTextOptions,
): Promise<{ choice: VoiceChoice; format: PcmFormat; pcm: Buffer }> {
  const parts: Buffer[] = [];
  const { choice, format } = await synthesizeText(engines, options, {
    start: async () => undefined,
    chunk: async (pcm) => void parts.push(pcm),
    stop: async () => undefined,
  });
  return { choice, format, pcm: Buffer.concat(parts) };
}
