/** The voice satellite endpoint (owned by the satellite). */
import { z } from 'zod';
import { host, port, positiveInt, seconds } from './common.js';

const sound = z.string().min(1);

export const satelliteSection = z.strictObject({
  enabled: z.boolean().default(false).describe('serve the satellite endpoint (needs a microphone)'),
  host: host.default('0.0.0.0').describe('address to listen on'),
  port: port.default(10700).describe('TCP port Home Assistant connects to (0 = any free port)'),
  max_connections: positiveInt.default(8).describe('connections at once (Home Assistant uses one plus a short describe poll)'),
  name: z.string().min(1).nullable().default(null).describe('satellite name in Home Assistant; null = the top-level name, else the host name'),
  area: z.string().nullable().default(null).describe('suggested area; null = the top-level area'),
  description: z.string().default('speech-satellite voice satellite').describe('description shown in Home Assistant'),
  mode: z
    .enum(['local-wake', 'vad', 'always-streaming'])
    .default('local-wake')
    .describe('local-wake: wake word detected here; vad: stream after local speech, wake word in HA; always-streaming: stream everything, wake word in HA'),
  wake_words: z
    .array(z.string().min(1))
    .default([])
    .describe('local wake models to listen for; [] = wake.default_model, else the first installed (the choice made over MQTT is kept in the state file)'),
  wake_refractory_s: seconds.default(2).describe('ignore the same wake word again for this long'),
  awake_mute_s: seconds.default(0.3).describe('the mic stays muted this long after the awake sound has finished playing'),
  max_stream_s: seconds.default(30).describe('stop streaming to Home Assistant when no transcript came within this time'),
  response_timeout_s: seconds.default(20).describe('give up waiting for the spoken response after a transcript'),
  vad: z
    .strictObject({
      pre_roll_s: seconds.max(10).default(2).describe('audio kept from before speech started and sent first'),
      wake_timeout_s: seconds.default(5).describe('send audio-stop when Home Assistant heard no wake word in this time'),
      threshold: z.number().min(0).max(1).nullable().default(null).describe('speech probability; null = vad.threshold'),
    })
    .prefault({}),
  sounds: z
    .strictObject({
      awake: sound.default('builtin').describe('WAV played when the wake word is heard: a path, `builtin` or `none`'),
      done: sound.default('builtin').describe('WAV played when the command has been heard: a path, `builtin` or `none`'),
      timer_finished: sound.default('builtin').describe('WAV played when a timer ends: a path, `builtin` or `none`'),
      timer_repeat: z.number().int().min(1).max(100).default(3).describe('how many times the timer sound rings'),
      timer_repeat_delay_s: seconds.max(60).default(0.5).describe('pause between timer rings'),
    })
    .prefault({}),
  tts_voice: z.string().nullable().default(null).describe('local voice for `speak` (MQTT, CLI); null = tts.default_voice, else the first installed'),
});

export type SatelliteConfig = z.output<typeof satelliteSection>;
