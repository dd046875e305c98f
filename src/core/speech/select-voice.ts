/**
 * Choosing a voice among every installed TTS engine: by name (with an optional speaker), by
 * language, or the configured default, else the first voice in preference order (Piper, Kokoro,
 * then espeak-ng, each in registration order). Used by the Wyoming tts service, the satellite's
 * "speak" command, the HTTP shim and `satellite speak`.
 */
import type { TtsEngine, TtsVoiceInfo } from '../engines/tts/tts.js';
import { SatelliteError } from '../util/errors.js';

export interface VoiceChoice {
  engine: TtsEngine;
  voice: TtsVoiceInfo;
  speaker?: string | undefined;
}

export interface VoiceQuery {
  name?: string | null | undefined;
  speaker?: string | null | undefined;
  language?: string | null | undefined;
}

const BACKEND_RANK: Record<string, number> = { piper: 0, kokoro: 1, 'espeak-ng': 2 };
const OTHER_BACKEND_RANK = 3;

/** Every installed voice in preference order. */
export function allVoices(engines: ReadonlyMap<string, TtsEngine>): VoiceChoice[] {
  const out: Array<VoiceChoice & { rank: number; order: number }> = [];
  for (const engine of engines.values()) {
    for (const voice of engine.voices) out.push({ engine, voice, rank: BACKEND_RANK[voice.backend] ?? OTHER_BACKEND_RANK, order: out.length });
  }
  out.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return out.map(({ engine, voice }) => ({ engine, voice }));
}

function normalizeLanguage(tag: string): string {
  return tag.toLowerCase().replace(/-/g, '_');
}

function matchesLanguage(voice: TtsVoiceInfo, language: string): boolean {
  const wanted = normalizeLanguage(language);
  return voice.languages.some((l) => {
    const have = normalizeLanguage(l);
    return have === wanted || have.split('_')[0] === wanted || wanted.split('_')[0] === have;
  });
}

function withSpeaker(choice: VoiceChoice, speaker: string | null | undefined): VoiceChoice {
  if (!speaker) return choice;
  if (!choice.voice.speakers?.includes(speaker)) {
    const known = choice.voice.speakers ? `; it has ${choice.voice.speakers.join(', ')}` : '; it has a single speaker';
    throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_SPEAKER', `voice "${choice.voice.name}" has no speaker "${speaker}"${known}`);
  }
  return { ...choice, speaker };
}

/**
 * Picks the voice for a request. Throws SAT_ERR_TTS_UNKNOWN_VOICE for a name nobody offers,
 * SAT_ERR_TTS_UNKNOWN_SPEAKER for a speaker the voice lacks, SAT_ERR_TTS_NO_VOICES when nothing
 * is installed.
 */
export function resolveVoice(engines: ReadonlyMap<string, TtsEngine>, query: VoiceQuery = {}, defaultVoice?: string | null): VoiceChoice {
  const voices = allVoices(engines);
  if (voices.length === 0) throw new SatelliteError('SAT_ERR_TTS_NO_VOICES', 'no text-to-speech voice is installed');
  if (query.name) {
    const wanted = query.name;
    const found = voices.find((v) => v.voice.name === wanted) ?? voices.find((v) => v.voice.name.toLowerCase() === wanted.toLowerCase());
    if (!found) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `unknown voice "${wanted}"`);
    return withSpeaker(found, query.speaker);
  }
  if (query.language) {
    const found = voices.find((v) => matchesLanguage(v.voice, query.language!));
    if (!found) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `no voice for language "${query.language}"`);
    return found;
  }
  const configured = defaultVoice ? voices.find((v) => v.voice.name === defaultVoice) : undefined;
  return configured ?? voices[0]!;
}
