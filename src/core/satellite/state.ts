/**
 * The satellite's state, the inputs that move it and the effects a step asks for. The state is
 * one union keyed on `name` (what the satellite is doing with its microphone and Home Assistant);
 * every member also carries the playback, the timers HA told us about and the last wake word.
 * Nothing here touches a socket or a device: the runtime executes the effects.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import type { ErrorCode } from '../../util/error-codes.js';
import type { EventData, EventType, WyomingEvent } from '../../wyoming/events.js';

export type SatelliteMode = 'local-wake' | 'vad' | 'always-streaming';

/** Fixed for the life of a satellite; carried in the state so `step` stays a function of two values. */
export interface SatelliteSettings {
  readonly mode: SatelliteMode;
  /** With a speaker the pipeline ends at `tts`, without one at `handle`. */
  readonly hasSpeaker: boolean;
  readonly refractoryMs: number;
  /** The mic stays muted this long after the awake sound ended. */
  readonly awakeMuteMs: number;
  /** VAD mode: `audio-stop` when HA heard no wake word within this time. */
  readonly vadWakeTimeoutMs: number;
  /** Stop streaming when no transcript came within this time. */
  readonly maxStreamMs: number;
  /** After a transcript, stop waiting for the response after this time. */
  readonly responseTimeoutMs: number;
  /** Always-streaming mode: wait this long before asking HA for a new run after a pipeline error. */
  readonly restartDelayMs: number;
  readonly timerRepeat: number;
  readonly timerRepeatDelayMs: number;
}

/** Where the link to Home Assistant stands underneath a local mute. */
export type LinkState = 'disconnected' | 'paused' | 'running';

export type Phase =
  /** No Home Assistant connection. */
  | { name: 'disconnected' }
  /** HA is connected but has not asked us to run (before `run-satellite`, after `pause-satellite`). */
  | { name: 'paused' }
  /** Locally muted: nothing is listened to; `link` is what to return to. */
  | { name: 'muted'; link: LinkState }
  /** Local-wake mode: the mic goes to the wake engine. */
  | { name: 'waiting-wake' }
  /** VAD mode: the mic goes to the VAD and the pre-roll buffer. */
  | { name: 'waiting-speech' }
  /** A wake word was heard: the awake sound plays (`sound`), then a short settle (`settle`); the mic is muted. */
  | { name: 'awake'; wakeWord: string | null; trigger: 'wake' | 'vad'; stage: 'sound' | 'settle' }
  /** The mic streams to HA's pipeline. */
  | { name: 'streaming'; wakeWord: string | null; trigger: 'wake' | 'vad' | 'always' }
  /** VAD mode: streaming speech to HA, which has not heard its wake word yet. */
  | { name: 'vad-streaming' }
  /** The command was heard (`transcript`); waiting for the spoken response. The mic listens for wake again. */
  | { name: 'responding' }
  /** A local announcement (`speak`) plays: nothing is listened to, so the satellite never hears itself; `link` is what to return to. */
  | { name: 'announcing'; link: LinkState };

export type PhaseName = Phase['name'];

/**
 * What the speaker is doing. HA's TTS or announcement audio: each audio-start…audio-stop is one
 * numbered stream and every chunk carries its own format. A local announcement is a numbered
 * stream too, fed by the local TTS.
 */
export type Playback =
  | { name: 'idle' }
  /** HA's audio is arriving for `stream`. */
  | { name: 'receiving'; stream: number }
  /** `audio-stop` came; the speaker is finishing `stream`. */
  | { name: 'draining'; stream: number }
  /** A local announcement: its audio is being made (and played as it comes), then the speaker finishes it; `request` awaits the outcome. */
  | { name: 'announcement'; stream: number; request: number; stage: 'synthesizing' | 'draining' };

export interface TrackedTimer {
  readonly id: string;
  readonly name: string | null;
  readonly totalSeconds: number;
  readonly status: 'running' | 'paused';
  /** When `totalSeconds` was last set, in the runtime's clock (ms). */
  readonly since: number;
}

interface Shared {
  readonly settings: SatelliteSettings;
  readonly playback: Playback;
  readonly timers: readonly TrackedTimer[];
  readonly lastWake: { readonly name: string; readonly at: number } | null;
  /** Id of the next playback stream. */
  readonly nextStream: number;
}

export type SatelliteState = Phase & Shared;

/** Timers the reducer starts and cancels by name; the runtime reports their expiry. */
export type TimerName = 'awake-settle' | 'vad-wake' | 'stream-limit' | 'response' | 'restart';

export type SoundName = 'awake' | 'done' | 'timer';

/** Why a local announcement was refused or did not play, for its caller. */
export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
}

/** An event for HA, typed like the codec's events. */
export type OutgoingEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

export type Input =
  | { type: 'ha-connected' }
  | { type: 'ha-disconnected' }
  | { type: 'ha-event'; event: WyomingEvent; at: number }
  | { type: 'wake-detected'; name: string; at: number }
  | { type: 'speech-detected' }
  | { type: 'sound-finished'; sound: SoundName }
  | { type: 'playback-finished'; stream: number; ok: boolean }
  /** Someone asked the satellite to say `text` (MQTT `speak`); `request` is answered by a `speak-result`. */
  | { type: 'speak'; request: number; text: string }
  /** The local TTS has made all of an announcement's audio (or failed to). */
  | { type: 'synthesis-finished'; stream: number; failure: Failure | null }
  | { type: 'timer-expired'; timer: TimerName }
  | { type: 'set-muted'; muted: boolean }
  | { type: 'mic-lost' };

export type Effect =
  | { type: 'send'; event: OutgoingEvent }
  /** Start (or restart) local wake detection from fresh audio. */
  | { type: 'arm-wake' }
  /** Start (or restart) local VAD and the pre-roll buffer. */
  | { type: 'arm-vad' }
  /** Send the buffered pre-roll audio to HA before live audio. */
  | { type: 'stream-preroll' }
  | { type: 'play-sound'; sound: SoundName; repeat: number; delayMs: number }
  | { type: 'start-timer'; timer: TimerName; ms: number }
  | { type: 'cancel-timer'; timer: TimerName }
  | { type: 'speaker-open'; stream: number }
  | { type: 'speaker-write'; stream: number; format: PcmFormat; payload: Buffer }
  /** No more audio for the stream: report `playback-finished` once it has really played. */
  | { type: 'speaker-close'; stream: number }
  /** Ends the stream at once; for an announcement, its synthesis stops too. */
  | { type: 'speaker-abort'; stream: number }
  /** Makes the audio of `text` with the local TTS into the open `stream`; report `synthesis-finished`. */
  | { type: 'synthesize'; stream: number; text: string }
  /** Answers a `speak` input: null once the announcement has really played, else why not. */
  | { type: 'speak-result'; request: number; failure: Failure | null }
  | { type: 'notify-wake'; name: string }
  | { type: 'notify-transcript'; text: string; language: string | null };

export interface StepResult {
  state: SatelliteState;
  effects: Effect[];
}

export function initialState(settings: SatelliteSettings): SatelliteState {
  return { name: 'disconnected', settings, playback: { name: 'idle' }, timers: [], lastWake: null, nextStream: 1 };
}

/** A short label of the phase for `from → to` logs, e.g. `streaming(wake)`. */
export function phaseLabel(state: Phase): string {
  switch (state.name) {
    case 'muted':
    case 'announcing':
      return `${state.name}(${state.link})`;
    case 'awake':
      return `awake(${state.stage})`;
    case 'streaming':
      return `streaming(${state.trigger})`;
    default:
      return state.name;
  }
}

export function playbackLabel(playback: Playback): string {
  if (playback.name === 'idle') return 'idle';
  return playback.name === 'announcement' ? `announcement(${playback.stage})#${playback.stream}` : `${playback.name}#${playback.stream}`;
}
