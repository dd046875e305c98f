/**
 * The `info` event as Home Assistant's parser reads it (wyoming-protocol.md §3). Unknown keys are
 * kept (forward compatible); required keys are required here too, so a bad info fails our tests
 * instead of HA's config flow.
 */
import { z } from 'zod';

const attribution = z.object({ name: z.string(), url: z.string() });
const artifact = {
  name: z.string(),
  attribution,
  installed: z.boolean(),
  description: z.string().nullish(),
  version: z.string().nullish(),
};
const languages = z.array(z.string());
const audioFormat = z.object({ rate: z.number().int(), width: z.number().int(), channels: z.number().int() });

export const asrModelSchema = z.looseObject({ ...artifact, languages });
export const asrProgramSchema = z.looseObject({
  ...artifact,
  models: z.array(asrModelSchema),
  supports_transcript_streaming: z.boolean().optional(),
  requires_external_vad: z.boolean().optional(),
  prefers_auto_gain_enabled: z.boolean().optional(),
  prefers_noise_reduction_enabled: z.boolean().optional(),
});
export const ttsVoiceSchema = z.looseObject({
  ...artifact,
  languages,
  speakers: z.array(z.looseObject({ name: z.string() })).nullish(),
});
export const ttsProgramSchema = z.looseObject({
  ...artifact,
  voices: z.array(ttsVoiceSchema),
  supports_synthesize_streaming: z.boolean().optional(),
});
export const wakeModelSchema = z.looseObject({ ...artifact, languages, phrase: z.string().nullish() });
export const wakeProgramSchema = z.looseObject({ ...artifact, models: z.array(wakeModelSchema) });
const genericModel = z.looseObject({ ...artifact, languages });
export const handleProgramSchema = z.looseObject({
  ...artifact,
  models: z.array(genericModel),
  supports_handled_streaming: z.boolean().optional(),
  supports_home_control: z.boolean().optional(),
});
export const intentProgramSchema = z.looseObject({ ...artifact, models: z.array(genericModel) });
export const micProgramSchema = z.looseObject({ ...artifact, mic_format: audioFormat });
export const sndProgramSchema = z.looseObject({ ...artifact, snd_format: audioFormat });
export const satelliteSchema = z.looseObject({
  ...artifact,
  area: z.string().nullish(),
  has_vad: z.boolean().nullish(),
  active_wake_words: z.array(z.string()).nullish(),
  max_active_wake_words: z.number().int().nullish(),
  supports_trigger: z.boolean().nullish(),
});

export const infoSchema = z.looseObject({
  asr: z.array(asrProgramSchema).optional(),
  tts: z.array(ttsProgramSchema).optional(),
  handle: z.array(handleProgramSchema).optional(),
  intent: z.array(intentProgramSchema).optional(),
  wake: z.array(wakeProgramSchema).optional(),
  mic: z.array(micProgramSchema).optional(),
  snd: z.array(sndProgramSchema).optional(),
  satellite: satelliteSchema.nullish(),
});

export type InfoData = z.output<typeof infoSchema>;
export type AsrProgram = z.output<typeof asrProgramSchema>;
export type TtsProgram = z.output<typeof ttsProgramSchema>;
export type WakeProgram = z.output<typeof wakeProgramSchema>;
export type SatelliteInfo = z.output<typeof satelliteSchema>;
