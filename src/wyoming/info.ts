/**
 * Builds `info` replies that Home Assistant's parser always accepts (wyoming-protocol.md §3, §8):
 * every program, model, voice and satellite carries name, attribution, installed, description
 * and version; models and voices carry languages; TTS lists `voices`; all seven lists are present.
 */
import type { InfoData } from './info-schema.js';

export interface Artifact {
  name: string;
  description: string;
  version: string;
  attribution: { name: string; url: string };
  /** false = listed but not usable now (a missing device); default true. */
  installed?: boolean | undefined;
}

export interface LanguageArtifact {
  name: string;
  description: string;
  languages: string[];
  version?: string | null | undefined;
  attribution: { name: string; url: string };
}

export interface InfoParts {
  asr?: Array<Artifact & { models: LanguageArtifact[]; supportsTranscriptStreaming: boolean; requiresExternalVad?: boolean }>;
  tts?: Array<Artifact & { voices: Array<LanguageArtifact & { speakers: string[] | null }>; supportsSynthesizeStreaming: boolean }>;
  wake?: Array<Artifact & { models: Array<LanguageArtifact & { phrase: string }> }>;
  mic?: Array<Artifact & { format: { rate: number; width: number; channels: number } }>;
  snd?: Array<Artifact & { format: { rate: number; width: number; channels: number } }>;
  satellite?: Artifact & {
    area: string | null;
    hasVad: boolean;
    activeWakeWords: string[];
    maxActiveWakeWords: number;
    supportsTrigger: boolean;
  };
}

function artifact(a: { name: string; description: string; version?: string | null | undefined; attribution: { name: string; url: string }; installed?: boolean | undefined }) {
  return {
    name: a.name,
    attribution: { name: a.attribution.name, url: a.attribution.url },
    installed: a.installed ?? true,
    description: a.description,
    version: a.version ?? null,
  };
}

function model(m: LanguageArtifact) {
  return { ...artifact(m), languages: [...m.languages] };
}

export function buildInfo(parts: InfoParts): InfoData {
  const info: InfoData = {
    asr: (parts.asr ?? []).map((p) => ({
      ...artifact(p),
      models: p.models.map(model),
      supports_transcript_streaming: p.supportsTranscriptStreaming,
      ...(p.requiresExternalVad === undefined ? {} : { requires_external_vad: p.requiresExternalVad }),
    })),
    tts: (parts.tts ?? []).map((p) => ({
      ...artifact(p),
      voices: p.voices.map((v) => ({ ...model(v), speakers: v.speakers ? v.speakers.map((name) => ({ name })) : null })),
      supports_synthesize_streaming: p.supportsSynthesizeStreaming,
    })),
    handle: [],
    intent: [],
    wake: (parts.wake ?? []).map((p) => ({
      ...artifact(p),
      models: p.models.map((m) => ({ ...model(m), phrase: m.phrase })),
    })),
    mic: (parts.mic ?? []).map((p) => ({ ...artifact(p), mic_format: { ...p.format } })),
    snd: (parts.snd ?? []).map((p) => ({ ...artifact(p), snd_format: { ...p.format } })),
  };
  if (parts.satellite) {
    const s = parts.satellite;
    info.satellite = {
      ...artifact(s),
      area: s.area,
      has_vad: s.hasVad,
      active_wake_words: [...s.activeWakeWords],
      max_active_wake_words: s.maxActiveWakeWords,
      supports_trigger: s.supportsTrigger,
    };
  }
  return info;
}

/** Merges the sections of several services into one provider info (never with `satellite`). */
export function mergeProviderInfo(sections: InfoParts[]): InfoData {
  const merged: InfoParts = { asr: [], tts: [], wake: [] };
  for (const s of sections) {
    merged.asr!.push(...(s.asr ?? []));
    merged.tts!.push(...(s.tts ?? []));
    merged.wake!.push(...(s.wake ?? []));
  }
  return buildInfo(merged);
}
