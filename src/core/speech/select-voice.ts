/**
 * The one rule that picks a voice, for every front end (Wyoming, HTTP, MQTT, the satellite, CLI):
 * by name (a voice's name, any letter case, or the id of the model folder that offers it, with an
 * optional speaker), else by language, else the configured default, else the first voice in the
 * daemon-wide preference order (Piper, Kokoro, then espeak-ng, each in catalogue order).
 */
import type { TtsEngine, TtsVoiceInfo } from '../../engines/tts/tts.js';
import { SatelliteError } from '../../util/errors.js';

export interface VoiceChoice {
  /** The id of the engine (model folder, or `espeak-ng`) offering the voice. */
  engineId: string;
  engine: TtsEngine;
  voice: TtsVoiceInfo;
  speaker?: string | undefined;
}

export interface VoiceQuery {
  name?: string | null | undefined;
  speaker?: string | null | undefined;
  language?: string | null | undefined;
}

export interface InstalledTts {
  id: string;
  engine: TtsEngine;
}

const BACKEND_RANK: Record<string, number> = { piper: 0, kokoro: 1, 'espeak-ng': 2 };
const OTHER_BACKEND_RANK = 3;

/** Every installed voice in preference order. */
export function allVoices(installed: readonly InstalledTts[]): VoiceChoice[] {
  const out: Array<VoiceChoice & { rank: number; order: number }> = [];
  for (const { id, engine } of installed) {
    for (const voice of engine.voices) out.push({ engineId: id, engine, voice, rank: BACKEND_RANK[voice.backend] ?? OTHER_BACKEND_RANK, order: out.length });
  }
  out.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return out.map(({ engineId, engine, voice }) => ({ engineId, engine, voice }));
}

function normalizeLanguage(tag: string): string {
  return tag.toLowerCase().replace(/-/g, '_');
}

export function matchesLanguage(voice: TtsVoiceInfo, language: string): boolean {
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

/** The voices a name means: the voice itself, or every voice of the model folder so named. */
export function voicesNamed(voices: readonly VoiceChoice[], name: string): VoiceChoice[] {
  const exact = voices.filter((v) => v.voice.name === name);
  if (exact.length > 0) return exact;
  const lower = name.toLowerCase();
  const folded = voices.filter((v) => v.voice.name.toLowerCase() === lower);
  if (folded.length > 0) return folded;
  return voices.filter((v) => v.engineId.toLowerCase() === lower);
}

/**
 * Picks the voice for a request. Throws SAT_ERR_TTS_UNKNOWN_VOICE for a name nobody offers or a
 * language no voice speaks, SAT_ERR_TTS_UNKNOWN_SPEAKER for a speaker the voice lacks,
 * SAT_ERR_TTS_NO_VOICES when nothing is installed.
 */
export function pickVoice(installed: readonly InstalledTts[], query: VoiceQuery = {}, defaultVoice?: string | null): VoiceChoice {
  const voices = allVoices(installed);
  if (voices.length === 0) throw new SatelliteError('SAT_ERR_TTS_NO_VOICES', 'no text-to-speech voice is installed');
  const preferredIn = (pool: readonly VoiceChoice[]) => (defaultVoice ? pool.find((v) => v.voice.name === defaultVoice) : undefined) ?? pool[0];
  if (query.name) {
    const found = preferredIn(voicesNamed(voices, query.name));
    if (!found) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `unknown voice "${query.name}"`);
    return withSpeaker(found, query.speaker);
  }
  if (query.language) {
    const found = preferredIn(voices.filter((v) => matchesLanguage(v.voice, query.language!)));
    if (!found) throw new SatelliteError('SAT_ERR_TTS_UNKNOWN_VOICE', `no voice for language "${query.language}"`);
    return withSpeaker(found, query.speaker);
  }
  return withSpeaker(preferredIn(voices)!, query.speaker);
}
