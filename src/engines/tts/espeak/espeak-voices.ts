/** Parsing `espeak-ng --voices` (pure, so it is tested without the program). */

export interface EspeakVoice {
  /** What `-v` takes, e.g. `en-us`. */
  language: string;
  /** e.g. `English_(America)`. */
  voiceName: string;
  gender: string;
  file: string;
}

const LINE = /^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/;

/** Reads the table `espeak-ng --voices` prints (header line first; MBROLA voices are skipped). */
export function parseEspeakVoices(text: string): EspeakVoice[] {
  const out: EspeakVoice[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, , language, ageGender, voiceName, file] = m as unknown as [string, string, string, string, string, string];
    // MBROLA voices need separate voice databases and speak at 16 kHz; they are not offered.
    if (file.startsWith('mb/') || language.startsWith('mb-') || seen.has(language)) continue;
    seen.add(language);
    out.push({ language, voiceName, gender: ageGender.split('/')[1] ?? '-', file });
  }
  return out;
}

/** `English_(America)` → `English (America)`. */
export function displayName(voiceName: string): string {
  return voiceName.replace(/_/g, ' ');
}

/** Which installed voices are offered when no explicit list is configured (config `tts.espeak.offer`). */
export type EspeakOffer = 'preferred' | 'language' | 'all';

export interface EspeakChoice {
  /** Explicit voice ids to offer (config `tts.espeak.voices`); null = decided by `offer`. */
  voices: readonly string[] | null;
  /** The configured voice: always offered when installed, and listed first. */
  preferred: string;
  offer: EspeakOffer;
  /** Voice ids that must be offered too (a configured default voice that is an espeak-ng one). */
  include?: readonly string[] | undefined;
}

/** `en-gb-x-rp` → `en`. */
function baseLanguage(id: string): string {
  return id.toLowerCase().split(/[-_]/)[0] ?? id;
}

/**
 * The voices to offer, in order. Home Assistant's TTS entity makes its default language the first
 * of an unordered set of every offered language (tts.py), so offering all ~130 espeak-ng languages
 * gives a random default. By default (`preferred`) only the preferred voice is offered, so its
 * language is the one HA can pick; `language` adds the other variants of that language (en-gb,
 * en-029, …), `all` every installed voice; an explicit `voices` list wins over `offer`. The
 * preferred voice always comes first (it is the daemon's own fallback default), then the `voices`
 * order or espeak-ng's. When the preferred voice is not installed, its language's voices stand
 * in; when there are none either, every voice is offered.
 */
export function chooseEspeakVoices(installed: readonly EspeakVoice[], choice: EspeakChoice): EspeakVoice[] {
  const preferred = choice.preferred.toLowerCase();
  const base = baseLanguage(preferred);
  const include = new Set((choice.include ?? []).map((id) => id.toLowerCase()));
  const explicit = choice.voices?.map((id) => id.toLowerCase()) ?? null;
  const id = (v: EspeakVoice) => v.language.toLowerCase();
  const hasPreferred = installed.some((v) => id(v) === preferred);
  const sameLanguage = (v: EspeakVoice) => baseLanguage(v.language) === base;
  let wanted: (v: EspeakVoice) => boolean;
  if (explicit) wanted = (v) => explicit.includes(id(v));
  else if (choice.offer === 'all') wanted = () => true;
  else if (choice.offer === 'language' || !hasPreferred) wanted = sameLanguage;
  else wanted = (v) => id(v) === preferred;
  let offered = installed.filter((v) => wanted(v) || include.has(id(v)) || (!explicit && id(v) === preferred));
  if (offered.length === 0 && !explicit) offered = [...installed];
  const rank = (v: EspeakVoice) => (id(v) === preferred ? -1 : explicit ? Math.max(0, explicit.indexOf(id(v))) : 0);
  return offered.sort((a, b) => rank(a) - rank(b));
}
