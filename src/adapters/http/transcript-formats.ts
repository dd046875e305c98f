/**
 * The five OpenAI transcription response formats, rendered from one {@link Transcript}: every
 * format shows the same decode, so their texts agree.
 */
import { deflateSync } from 'node:zlib';
import type { AsrTask } from '../../engines/asr/asr.js';
import type { Transcript } from '../../core/speech/file-transcription.js';

export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];
export type Granularity = 'word' | 'segment';

/** Whisper reports the language by name in verbose_json. */
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'english',
  de: 'german',
  fr: 'french',
  es: 'spanish',
  it: 'italian',
  nl: 'dutch',
  pt: 'portuguese',
  pl: 'polish',
  ru: 'russian',
  uk: 'ukrainian',
  sv: 'swedish',
  da: 'danish',
  no: 'norwegian',
  fi: 'finnish',
  cs: 'czech',
  tr: 'turkish',
  zh: 'chinese',
  ja: 'japanese',
  ko: 'korean',
  ar: 'arabic',
  hi: 'hindi',
};

export interface Rendered {
  contentType: string;
  body: string;
}

export function languageName(code: string | undefined): string {
  if (!code) return 'unknown';
  const base = code.toLowerCase().split(/[-_]/)[0] ?? code;
  return LANGUAGE_NAMES[base] ?? code;
}

export function renderTranscript(format: ResponseFormat, t: Transcript, task: AsrTask, granularities: readonly Granularity[]): Rendered {
  switch (format) {
    case 'json':
      return json({ text: t.text, usage: { type: 'duration', seconds: Math.ceil(t.duration) } });
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: `${t.text}\n` };
    case 'srt':
      return { contentType: 'application/x-subrip; charset=utf-8', body: srt(t) };
    case 'vtt':
      return { contentType: 'text/vtt; charset=utf-8', body: vtt(t) };
    case 'verbose_json':
      return json(verbose(t, task, granularities));
  }
}

function json(value: unknown): Rendered {
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

function verbose(t: Transcript, task: AsrTask, granularities: readonly Granularity[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    task,
    language: task === 'translate' ? 'english' : languageName(t.language),
    duration: Math.round(t.duration * 1000) / 1000,
    text: t.text,
  };
  if (granularities.length === 0 || granularities.includes('segment')) {
    out['segments'] = t.segments.map((s, id) => ({
      id,
      seek: s.seek,
      start: s.start,
      end: s.end,
      text: ` ${s.text}`,
      tokens: s.tokens,
      // Every engine here decodes greedily, which is Whisper's temperature 0.
      temperature: 0,
      // 0 (certain) and 0 (speech) where the model reports no token probabilities or no VAD ran.
      avg_logprob: s.avgLogprob ?? 0,
      compression_ratio: compressionRatio(s.text),
      no_speech_prob: s.noSpeechProb ?? 0,
    }));
  }
  if (granularities.includes('word')) {
    out['words'] = (t.words ?? []).map((w) => ({ word: w.word.trim(), start: w.start, end: w.end }));
  }
  out['usage'] = { type: 'duration', seconds: Math.ceil(t.duration) };
  return out;
}

/** Whisper's repetition check: the text's UTF-8 length over its zlib-compressed length. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return Math.round((bytes.length / deflateSync(bytes).length) * 1000) / 1000;
}

function srt(t: Transcript): string {
  return t.segments.map((s, i) => `${i + 1}\n${timestamp(s.start, ',')} --> ${timestamp(s.end, ',')}\n${s.text}\n\n`).join('');
}

function vtt(t: Transcript): string {
  return `WEBVTT\n\n${t.segments.map((s) => `${timestamp(s.start, '.')} --> ${timestamp(s.end, '.')}\n${s.text}\n\n`).join('')}`;
}

/** Seconds → `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT). */
export function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}
