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
