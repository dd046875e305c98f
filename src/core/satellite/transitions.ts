/** Building blocks the reducer combines: entering a phase, leaving one, arming for the mode. */
import type { Effect, LinkState, Phase, Playback, SatelliteSettings, SatelliteState, StepResult, TimerName } from './state.js';

export function withPhase(state: SatelliteState, phase: Phase): SatelliteState {
  const { settings, playback, timers, lastWake, nextStream } = state;
  return { ...phase, settings, playback, timers, lastWake, nextStream } as SatelliteState;
}

export function unchanged(state: SatelliteState): StepResult {
  return { state, effects: [] };
}

export function endStage(settings: SatelliteSettings): 'tts' | 'handle' {
  return settings.hasSpeaker ? 'tts' : 'handle';
}

/** Where HA's link stands, whatever the phase on top of it. */
export function linkOf(state: SatelliteState): LinkState {
  switch (state.name) {
    case 'disconnected':
      return 'disconnected';
    case 'paused':
      return 'paused';
    case 'muted':
    case 'announcing':
      return state.link;
    default:
      return 'running';
  }
}

/** A phase on top of HA's link (a local mute, a local announcement): link events only change what is underneath. */
export type Overlay = SatelliteState & { name: 'muted' | 'announcing' };

export function isOverlay(state: SatelliteState): state is Overlay {
  return state.name === 'muted' || state.name === 'announcing';
}

export function relink(state: Overlay, link: LinkState): SatelliteState {
  return withPhase(state, { name: state.name, link });
}

/** Whether the speaker is playing HA's audio (which belongs to the link) rather than a local announcement. */
export function isHaPlayback(playback: Playback): playback is Extract<Playback, { name: 'receiving' | 'draining' }> {
  return playback.name === 'receiving' || playback.name === 'draining';
}

/** Whether mic audio is going to HA in this phase. */
export function isStreaming(state: SatelliteState): boolean {
  return state.name === 'vad-streaming' || (state.name === 'streaming' && state.trigger !== 'always');
}

/** The timers a phase owns, which leaving it cancels. */
function phaseTimers(state: SatelliteState): TimerName[] {
  switch (state.name) {
    case 'awake':
      return ['awake-settle'];
    case 'streaming':
      return state.trigger === 'always' ? ['restart'] : ['stream-limit'];
    case 'vad-streaming':
      return ['vad-wake'];
    case 'responding':
      return ['response'];
    default:
      return [];
  }
}

/** Effects of leaving the current phase (its timers are cancelled). */
export function leave(state: SatelliteState): Effect[] {
  return phaseTimers(state).map((timer) => ({ type: 'cancel-timer', timer }) as const);
}

/** Ends an active stream to HA with `audio-stop` (HA then ends the STT stage). */
export function stopStream(state: SatelliteState): Effect[] {
  return isStreaming(state) || state.name === 'awake' ? [{ type: 'send', event: { type: 'audio-stop', data: { timestamp: null } } }] : [];
}

/** The phase that listens for the next command in this mode, with the effects that start it. */
export function arm(state: SatelliteState, before: Effect[] = []): StepResult {
  const { settings } = state;
  switch (settings.mode) {
    case 'local-wake':
      return { state: withPhase(state, { name: 'waiting-wake' }), effects: [...before, { type: 'arm-wake' }] };
    case 'vad':
      return { state: withPhase(state, { name: 'waiting-speech' }), effects: [...before, { type: 'arm-vad' }] };
    case 'always-streaming':
      return {
        state: withPhase(state, { name: 'streaming', wakeWord: null, trigger: 'always' }),
        effects: [...before, alwaysRunPipeline(settings)],
      };
  }
}

export function alwaysRunPipeline(settings: SatelliteSettings): Effect {
  return {
    type: 'send',
    event: { type: 'run-pipeline', data: { start_stage: 'wake', end_stage: endStage(settings), restart_on_end: true } },
  };
}

/** Returns to the phase the link allows: listening when running, else paused or disconnected. */
export function restore(state: SatelliteState, link: LinkState, before: Effect[] = []): StepResult {
  if (link === 'running') return arm(state, before);
  return { state: withPhase(state, { name: link }), effects: before };
}

/** Enters streaming after the awake sound; the stream is bounded in time. */
export function startStreaming(state: SatelliteState, wakeWord: string | null, trigger: 'wake' | 'vad', before: Effect[] = []): StepResult {
  return {
    state: withPhase(state, { name: 'streaming', wakeWord, trigger }),
    effects: [...before, { type: 'start-timer', timer: 'stream-limit', ms: state.settings.maxStreamMs }],
  };
}

/** A wake word fired (locally, or HA's `detection` in VAD mode): mute the mic while the awake sound plays. */
export function enterAwake(state: SatelliteState, wakeWord: string | null, trigger: 'wake' | 'vad', before: Effect[]): StepResult {
  return {
    state: withPhase(state, { name: 'awake', wakeWord, trigger, stage: 'sound' }),
    effects: [...before, { type: 'play-sound', sound: 'awake', repeat: 1, delayMs: 0 }],
  };
}
