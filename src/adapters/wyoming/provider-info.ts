/**
 * The provider endpoint's `info`, shaped so that Home Assistant sets up STT, TTS and wake from its
 * first `describe` and keeps one config entry through the first-run pull (HA wyoming data.py,
 * config_flow.py, stt.py, tts.py, wake_word.py; README "First run with Home Assistant"):
 *
 * - HA titles the entry, and builds its zeroconf unique id, from the first installed program
 *   (asr, then tts, then wake), and picks its platforms once, at setup. So every enabled service
 *   is listed from the first second, always in that order, under names that never change.
 * - HA reads STT languages once, at setup, from the installed models of `asr[0]`; it re-reads TTS
 *   voices only since 2026.9 and wake words since 2023.11. So the models the first-run pull is
 *   about to install are listed as installed already (wyoming-piper does the same with the voices
 *   it downloads on first use), under the names they will have once installed.
 * - HA cannot add a TTS entity without a voice (it has no default language), so a TTS program
 *   with no voice is listed as not installed, which HA skips.
 * - Every program, model and voice carries a version string (the `wyoming` library and HA's debug
 *   output show it): a model's own version where its files state one (an openWakeWord head's
 *   `_v0.1`, the espeak-ng program's version), else the daemon's version that serves it.
 * - The entry HA makes for this endpoint is titled `speech-satellite-stt` (the first program),
 *   not the machine's display name (mdns-identity.ts `displayName`): that title is part of the
 *   unique id, and a name that followed config or host-name changes would re-key the entry.
 */
import { buildInfo, type InfoParts } from '../../wyoming/info.js';
import type { InfoData } from '../../wyoming/info-schema.js';

export interface ModelListing {
  name: string;
  description: string;
  languages: readonly string[];
  version?: string | null | undefined;
  attribution: { name: string; url: string };
}

export interface VoiceListing extends ModelListing {
  speakers: readonly string[] | null;
}

export interface WakeListing extends ModelListing {
  phrase: string;
}

/** What one service offers: models on disk, and models a running pull will add (same names). */
export interface Listing<M> {
  installed: readonly M[];
  pending?: readonly M[] | undefined;
}

export interface ProviderInfoInput {
  /** The daemon's version, given to every program. */
  version: string;
  /** A disabled service is left out; an enabled one is listed even with nothing installed. */
  enabled: { asr: boolean; tts: boolean; wake: boolean };
  asr: Listing<ModelListing> & { supportsTranscriptStreaming: boolean; requiresExternalVad?: boolean | undefined };
  tts: Listing<VoiceListing> & { supportsSynthesizeStreaming: boolean };
  wake: Listing<WakeListing>;
}

const PROJECT = { name: 'speech-satellite', url: 'https://github.com/speech-satellite/speech-satellite' };

/** The program identities HA stores (entry title, unique id, entity names): never rename them. */
export const PROVIDER_PROGRAMS = {
  asr: { name: 'speech-satellite-stt', description: 'Local speech-to-text (sherpa-onnx, Vosk)', attribution: PROJECT },
  tts: { name: 'speech-satellite-tts', description: 'Piper, Kokoro and eSpeak NG voices', attribution: PROJECT },
  wake: {
    name: 'speech-satellite-wake',
    description: 'Local wake word detection (openWakeWord, sherpa-onnx keyword spotting)',
    attribution: PROJECT,
  },
} as const;

/** Installed models first, then pending ones not installed yet; a repeated name keeps the first. */
function offered<M extends ModelListing>(listing: Listing<M>): M[] {
  const byName = new Map<string, M>();
  for (const m of [...listing.installed, ...(listing.pending ?? [])]) if (!byName.has(m.name)) byName.set(m.name, m);
  return [...byName.values()];
}

function model(m: ModelListing, version: string) {
  return { name: m.name, description: m.description, languages: [...m.languages], version: m.version ?? version, attribution: m.attribution };
}

export function buildProviderInfo(input: ProviderInfoInput): InfoData {
  const program = (kind: keyof typeof PROVIDER_PROGRAMS) => ({ ...PROVIDER_PROGRAMS[kind], version: input.version });
  const parts: InfoParts = {};
  if (input.enabled.asr) {
    parts.asr = [
      {
        ...program('asr'),
        models: offered(input.asr).map((m) => model(m, input.version)),
        supportsTranscriptStreaming: input.asr.supportsTranscriptStreaming,
        ...(input.asr.requiresExternalVad === undefined ? {} : { requiresExternalVad: input.asr.requiresExternalVad }),
      },
    ];
  }
  const voices = offered(input.tts);
  if (input.enabled.tts) {
    parts.tts = [
      {
        ...program('tts'),
        voices: voices.map((v) => ({ ...model(v, input.version), speakers: v.speakers ? [...v.speakers] : null })),
        supportsSynthesizeStreaming: input.tts.supportsSynthesizeStreaming,
      },
    ];
  }
  if (input.enabled.wake) {
    parts.wake = [{ ...program('wake'), models: offered(input.wake).map((m) => ({ ...model(m, input.version), phrase: m.phrase })) }];
  }
  const info = buildInfo(parts);
  // buildInfo marks every artifact installed; a voiceless TTS program must not be (see above).
  if (info.tts?.[0] && voices.length === 0) info.tts[0].installed = false;
  return info;
}
