/** Microphone and speaker (owned by the satellite). */
import { z } from 'zod';
import { positiveInt, seconds } from './common.js';

const rate = z.number().int().min(8000).max(192_000);
const width = z.union([z.literal(1), z.literal(2), z.literal(4)]);
const channels = z.number().int().min(1).max(8);

export const micSection = z.strictObject({
  device: z
    .string()
    .min(1)
    .default('default')
    .describe('capture device: an ALSA device string such as plughw:CARD=seeed2micvoicec,DEV=0, or a PortAudio device name (see `satellite devices`)'),
  rate: rate.default(16000).describe('sample rate asked of the device (Hz); audio is converted to 16 kHz mono inside'),
  width: width.default(2).describe('bytes per sample asked of the device'),
  channels: channels.default(1).describe('channels asked of the device; several are mixed to mono'),
  samples_per_chunk: positiveInt.max(16_384).default(1024).describe('samples per audio chunk read from the device and sent to Home Assistant'),
  gain: z.number().min(0).max(32).default(1).describe('software gain applied to the microphone (1 = unchanged)'),
  pace: z
    .boolean()
    .default(false)
    .describe('read no faster than real time; only for devices without a clock, such as ALSA file/null plugins'),
});

export const speakerSection = z.strictObject({
  device: z
    .string()
    .min(1)
    .nullable()
    .default('default')
    .describe('playback device (ALSA device string or PortAudio device name); null = no speaker (pipelines then end at `handle`)'),
  rate: rate.default(22050).describe('sample rate played to the device; incoming audio is converted to it'),
  width: width.default(2).describe('bytes per sample played to the device'),
  channels: channels.default(1).describe('channels played to the device (mono is copied to each)'),
  volume: z
    .number()
    .min(0)
    .max(100)
    .default(100)
    .describe('initial software volume in percent; changes at run time (MQTT) are kept in the state file and win'),
});

export const audioSection = z.strictObject({
  backend: z.enum(['auto', 'naudiodon', 'alsa']).default('auto').describe('auto: naudiodon (PortAudio) when it loads and knows the device, else arecord/aplay'),
  alsa_config: z
    .string()
    .nullable()
    .default(null)
    .describe('extra ALSA configuration file read after the system one (sets ALSA_CONFIG_PATH for the audio programs)'),
  mic: micSection.prefault({}),
  speaker: speakerSection.prefault({}),
  reopen_initial_s: seconds.default(1).describe('first wait before reopening a device that failed or disappeared'),
  reopen_max_s: seconds.default(30).describe('longest wait between reopen attempts (the wait doubles each time)'),
});

export type AudioConfig = z.output<typeof audioSection>;
