/** Building blocks of the reducer table: settings, phases, inputs and effects in short form. */
import {
  initialState,
  type Effect,
  type Input,
  type Phase,
  type Playback,
  type SatelliteSettings,
  type SatelliteState,
} from '../../../src/core/satellite/state.js';
import type { WyomingEvent } from '../../../src/wyoming/events.js';
import type { ErrorCode } from '../../../src/util/error-codes.js';

export const SETTINGS: SatelliteSettings = {
  mode: 'local-wake',
  hasSpeaker: true,
  refractoryMs: 2000,
  awakeMuteMs: 300,
  vadWakeTimeoutMs: 5000,
  maxStreamMs: 30000,
  responseTimeoutMs: 20000,
  restartDelayMs: 1000,
  timerRepeat: 3,
  timerRepeatDelayMs: 500,
};
export const VAD: Partial<SatelliteSettings> = { mode: 'vad' };
export const ALWAYS: Partial<SatelliteSettings> = { mode: 'always-streaming' };
export const MUTE: Partial<SatelliteSettings> = { hasSpeaker: false };

export interface Extra {
  settings?: Partial<SatelliteSettings>;
  playback?: Playback;
  lastWake?: { name: string; at: number };
  timers?: SatelliteState['timers'];
  nextStream?: number;
}

export function make(phase: Phase, extra: Extra = {}): SatelliteState {
  const base = initialState({ ...SETTINGS, ...extra.settings });
  return {
    ...base,
    ...phase,
    playback: extra.playback ?? base.playback,
    lastWake: extra.lastWake ?? null,
    timers: extra.timers ?? [],
    nextStream: extra.nextStream ?? 1,
  } as SatelliteState;
}

export const ha = (type: string, data: Record<string, unknown> = {}, payload?: Buffer, at = 0): Input => ({
  type: 'ha-event',
  event: { type, data, payload } as WyomingEvent,
  at,
});
export const send = (type: string, data: Record<string, unknown>): Effect => ({ type: 'send', event: { type, data } }) as Effect;
export const cancel = (timer: string): Effect => ({ type: 'cancel-timer', timer }) as Effect;
export const start = (timer: string, ms: number): Effect => ({ type: 'start-timer', timer, ms }) as Effect;
export const sound = (name: string, repeat = 1, delayMs = 0): Effect => ({ type: 'play-sound', sound: name, repeat, delayMs }) as Effect;
export const ARM_WAKE: Effect = { type: 'arm-wake' };
export const ARM_VAD: Effect = { type: 'arm-vad' };
export const AUDIO_STOP = send('audio-stop', { timestamp: null });
export const F22 = { rate: 22050, width: 2, channels: 1 };
export const PCM = Buffer.from([1, 0, 2, 0]);

export const W: Phase = { name: 'waiting-wake' };
export const S: Phase = { name: 'waiting-speech' };
export const STREAM: Phase = { name: 'streaming', wakeWord: 'alexa', trigger: 'wake' };
export const STREAM_VAD: Phase = { name: 'streaming', wakeWord: null, trigger: 'vad' };
export const ALWAYS_STREAM: Phase = { name: 'streaming', wakeWord: null, trigger: 'always' };
export const AWAKE: Phase = { name: 'awake', wakeWord: 'alexa', trigger: 'wake', stage: 'sound' };
export const SETTLE: Phase = { name: 'awake', wakeWord: 'alexa', trigger: 'wake', stage: 'settle' };
export const SETTLE_VAD: Phase = { name: 'awake', wakeWord: 'hey_jarvis', trigger: 'vad', stage: 'settle' };
export const VSTREAM: Phase = { name: 'vad-streaming' };
export const RESP: Phase = { name: 'responding' };
export const PAUSED: Phase = { name: 'paused' };
export const DISC: Phase = { name: 'disconnected' };
export const muted = (link: 'disconnected' | 'paused' | 'running'): Phase => ({ name: 'muted', link });

export interface Row {
  what: string;
  from: SatelliteState;
  input: Input;
  to: string;
  effects: Effect[];
  playback?: string;
  check?: (state: SatelliteState) => void;
}

export const runPipelineAsr = (end: string) => send('run-pipeline', { start_stage: 'asr', end_stage: end, restart_on_end: false, wake_word_name: 'alexa' });
export const wakeEffects = (end = 'tts') => [send('detection', { name: 'alexa', timestamp: null }), runPipelineAsr(end), { type: 'notify-wake', name: 'alexa' } as Effect, sound('awake')];
export const transcript = ha('transcript', { text: 'turn on the light', language: 'en' });
export const notifyTranscript: Effect = { type: 'notify-transcript', text: 'turn on the light', language: 'en' };
export const receiving = (stream: number): Playback => ({ name: 'receiving', stream });

// local announcements
export const TEXT = 'the pasta is ready';
export const speakInput = (request = 7): Input => ({ type: 'speak', request, text: TEXT });
export const announcing = (link: 'disconnected' | 'paused' | 'running'): Phase => ({ name: 'announcing', link });
export const announcement = (stage: 'synthesizing' | 'draining', stream = 1, request = 7): Playback => ({ name: 'announcement', stream, request, stage });
/** What accepting `speak` asks for: a speaker stream, and the TTS to fill it. */
export const startAnnouncement = (stream = 1): Effect[] => [
  { type: 'speaker-open', stream },
  { type: 'synthesize', stream, text: TEXT },
];
export const spoke = (request = 7): Effect => ({ type: 'speak-result', request, failure: null });
export const speakFailed = (code: ErrorCode, message: string, request = 7): Effect => ({ type: 'speak-result', request, failure: { code, message } });
export const BUSY = 'SAT_ERR_SATELLITE_BUSY';
