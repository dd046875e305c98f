/**
 * The satellite's pure reducer: `step(state, input) → {state, effects}`. It never reads a clock
 * (inputs carry their time), never touches I/O, and returns the same state object when an input
 * changes nothing. The runtime executes the effects and logs every `from → to`.
 */
import { onSpeak, onSynthesisFinished } from './reducer-announce.js';
import { onHaEvent } from './reducer-ha.js';
import { onPlaybackFinished } from './reducer-playback.js';
import type { Input, SatelliteState, StepResult } from './state.js';
import { arm, endStage, enterAwake, isHaPlayback, isOverlay, leave, linkOf, relink, restore, startStreaming, stopStream, unchanged, withPhase, alwaysRunPipeline } from './transitions.js';

export function step(state: SatelliteState, input: Input): StepResult {
  switch (input.type) {
    case 'ha-connected':
      return onConnected(state);
    case 'ha-disconnected':
      return onDisconnected(state);
    case 'ha-event':
      return onHaEvent(state, input.event, input.at);
    case 'wake-detected':
      return onWake(state, input.name, input.at);
    case 'speech-detected':
      return onSpeech(state);
    case 'sound-finished':
      return onSoundFinished(state, input.sound);
    case 'playback-finished':
      return onPlaybackFinished(state, input.stream, input.ok);
    case 'speak':
      return onSpeak(state, input.request, input.text);
    case 'synthesis-finished':
      return onSynthesisFinished(state, input.stream, input.failure);
    case 'timer-expired':
      return onTimer(state, input.timer);
    case 'set-muted':
      return input.muted ? onMute(state) : onUnmute(state);
    case 'mic-lost':
      return onMicLost(state);
  }
}

function onConnected(state: SatelliteState): StepResult {
  if (state.name === 'disconnected') return { state: withPhase(state, { name: 'paused' }), effects: [] };
  if (isOverlay(state) && state.link === 'disconnected') return { state: relink(state, 'paused'), effects: [] };
  return unchanged(state);
}

/** HA went away: stop everything that belonged to the link, including its playback (a local announcement plays on). */
function onDisconnected(state: SatelliteState): StepResult {
  if (state.name === 'disconnected') return unchanged(state);
  const effects = leave(state);
  let next = state;
  if (isHaPlayback(state.playback)) {
    effects.push({ type: 'speaker-abort', stream: state.playback.stream });
    next = { ...state, playback: { name: 'idle' } };
  }
  if (isOverlay(next)) return { state: relink(next, 'disconnected'), effects };
  return { state: withPhase(next, { name: 'disconnected' }), effects };
}

function listensForWake(state: SatelliteState): boolean {
  return state.name === 'waiting-wake' || (state.name === 'responding' && state.settings.mode === 'local-wake');
}

function onWake(state: SatelliteState, name: string, at: number): StepResult {
  if (!listensForWake(state)) return unchanged(state);
  const last = state.lastWake;
  if (last && last.name === name && at - last.at < state.settings.refractoryMs) return unchanged(state);
  const next = { ...state, lastWake: { name, at } };
  return enterAwake(next, name, 'wake', [
    ...leave(state),
    { type: 'send', event: { type: 'detection', data: { name, timestamp: null } } },
    {
      type: 'send',
      event: { type: 'run-pipeline', data: { start_stage: 'asr', end_stage: endStage(state.settings), restart_on_end: false, wake_word_name: name } },
    },
    { type: 'notify-wake', name },
  ]);
}

function onSpeech(state: SatelliteState): StepResult {
  const listens = state.name === 'waiting-speech' || (state.name === 'responding' && state.settings.mode === 'vad');
  if (!listens) return unchanged(state);
  return {
    state: withPhase(state, { name: 'vad-streaming' }),
    effects: [
      ...leave(state),
      { type: 'send', event: { type: 'run-pipeline', data: { start_stage: 'wake', end_stage: endStage(state.settings), restart_on_end: false } } },
      { type: 'stream-preroll' },
      { type: 'start-timer', timer: 'vad-wake', ms: state.settings.vadWakeTimeoutMs },
    ],
  };
}

function onSoundFinished(state: SatelliteState, sound: string): StepResult {
  if (sound !== 'awake' || state.name !== 'awake' || state.stage !== 'sound') return unchanged(state);
  if (state.settings.awakeMuteMs <= 0) return startStreaming(state, state.wakeWord, state.trigger);
  return {
    state: withPhase(state, { ...state, stage: 'settle' }),
    effects: [{ type: 'start-timer', timer: 'awake-settle', ms: state.settings.awakeMuteMs }],
  };
}

function onTimer(state: SatelliteState, timer: string): StepResult {
  switch (timer) {
    case 'awake-settle':
      return state.name === 'awake' && state.stage === 'settle' ? startStreaming(state, state.wakeWord, state.trigger) : unchanged(state);
    case 'vad-wake':
      return state.name === 'vad-streaming' ? arm(state, stopStream(state)) : unchanged(state);
    case 'stream-limit':
      return state.name === 'streaming' && state.trigger !== 'always' ? arm(state, stopStream(state)) : unchanged(state);
    case 'response':
      return state.name === 'responding' ? arm(state) : unchanged(state);
    case 'restart':
      return state.name === 'streaming' && state.trigger === 'always' ? { state, effects: [alwaysRunPipeline(state.settings)] } : unchanged(state);
    default:
      return unchanged(state);
  }
}

/** A local mute stops all listening; a stream in progress is ended properly for HA. */
function onMute(state: SatelliteState): StepResult {
  if (state.name === 'muted') return unchanged(state);
  const link = linkOf(state);
  return { state: withPhase(state, { name: 'muted', link }), effects: [...stopStream(state), ...leave(state)] };
}

/** Unmuting during a local announcement waits for its end before listening again. */
function onUnmute(state: SatelliteState): StepResult {
  if (state.name !== 'muted') return unchanged(state);
  if (state.playback.name === 'announcement') return { state: withPhase(state, { name: 'announcing', link: state.link }), effects: [] };
  return restore(state, state.link);
}

/** The microphone disappeared: a running stream cannot go on, so end it and wait for the wake word again. */
function onMicLost(state: SatelliteState): StepResult {
  const streaming = state.name === 'awake' || state.name === 'vad-streaming' || (state.name === 'streaming' && state.trigger !== 'always');
  if (!streaming) return unchanged(state);
  return arm(state, [...stopStream(state), ...leave(state)]);
}
