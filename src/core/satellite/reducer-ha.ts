/** The reducer's handling of events from Home Assistant (wyoming-protocol.md §4.6). */
import type { WyomingEvent } from '../../wyoming/events.js';
import { onAudioChunk, onAudioStart, onAudioStop, onTimerEvent } from './reducer-playback.js';
import type { Effect, SatelliteState, StepResult } from './state.js';
import { arm, enterAwake, isOverlay, isStreaming, leave, linkOf, relink, unchanged, withPhase } from './transitions.js';

export function onHaEvent(state: SatelliteState, event: WyomingEvent, at: number): StepResult {
  // The link only forwards the owner's events; anything else (late or stray) is not HA talking to us.
  if (linkOf(state) === 'disconnected') return unchanged(state);
  switch (event.type) {
    case 'run-satellite':
      return onRun(state);
    case 'pause-satellite':
      return onPause(state);
    case 'transcript':
      return onTranscript(state, event.data.text, event.data.language ?? null);
    case 'error':
      return onPipelineError(state);
    case 'detection':
      return onRemoteDetection(state, event.data.name ?? null);
    case 'audio-start':
      return onAudioStart(state, event.data);
    case 'audio-chunk':
      return onAudioChunk(state, event.data, event.payload ?? Buffer.alloc(0));
    case 'audio-stop':
      return onAudioStop(state);
    case 'timer-started':
    case 'timer-updated':
    case 'timer-cancelled':
    case 'timer-finished':
      return onTimerEvent(state, event, at);
    default:
      // describe/ping are answered by the endpoint; synthesize, transcribe, voice-* are informational.
      return unchanged(state);
  }
}

/** `run-satellite`: (re)start listening. A new run ends whatever run was going on; a mute or an announcement keeps it for later. */
function onRun(state: SatelliteState): StepResult {
  if (isOverlay(state)) return { state: relink(state, 'running'), effects: [] };
  return arm(state, leave(state));
}

/** `pause-satellite`: stop all listening until the next `run-satellite`. HA cancels its own pipeline. */
function onPause(state: SatelliteState): StepResult {
  if (isOverlay(state)) return { state: relink(state, 'paused'), effects: [] };
  if (state.name === 'disconnected' || state.name === 'paused') return unchanged(state);
  return { state: withPhase(state, { name: 'paused' }), effects: leave(state) };
}

/** `transcript`: the command was heard. Stop streaming, ring `done`, wait for the response. */
function onTranscript(state: SatelliteState, text: string, language: string | null): StepResult {
  const notify: Effect = { type: 'notify-transcript', text, language };
  const done: Effect = { type: 'play-sound', sound: 'done', repeat: 1, delayMs: 0 };
  if (state.name === 'streaming' && state.trigger === 'always') return { state, effects: [notify, done] };
  if (!isStreaming(state) && state.name !== 'awake') return { state, effects: [notify] };
  const effects = [...leave(state), notify, done];
  if (!state.settings.hasSpeaker) return arm(state, effects);
  return {
    state: withPhase(state, { name: 'responding' }),
    effects: [...effects, { type: 'start-timer', timer: 'response', ms: state.settings.responseTimeoutMs }],
  };
}

/** `error` from HA's pipeline: the run is over; listen again (always-streaming asks for a new run shortly). */
function onPipelineError(state: SatelliteState): StepResult {
  if (state.name === 'streaming' && state.trigger === 'always') {
    return { state, effects: [{ type: 'start-timer', timer: 'restart', ms: state.settings.restartDelayMs }] };
  }
  if (isStreaming(state) || state.name === 'awake' || state.name === 'responding') return arm(state, leave(state));
  return unchanged(state);
}

/** `detection` from HA: its wake word fired on audio we streamed (VAD and always-streaming modes). */
function onRemoteDetection(state: SatelliteState, name: string | null): StepResult {
  const notify: Effect[] = name ? [{ type: 'notify-wake', name }] : [];
  if (state.name === 'vad-streaming') return enterAwake(state, name, 'vad', [...leave(state), ...notify]);
  if (state.name === 'streaming' && state.trigger === 'always') {
    return { state, effects: [...notify, { type: 'play-sound', sound: 'awake', repeat: 1, delayMs: 0 }] };
  }
  return unchanged(state);
}
