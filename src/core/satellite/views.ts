/** What follows from a state without changing it: where mic audio goes, and what users see. */
import type { SatelliteStateName } from '../bus.js';
import type { SatelliteState } from './state.js';

/** `wake`: to the local wake engine; `vad`: to the VAD and pre-roll; `ha`: streamed to HA; `drop`. */
export type MicRoute = 'wake' | 'vad' | 'ha' | 'drop';

export function micRoute(state: SatelliteState): MicRoute {
  switch (state.name) {
    case 'waiting-wake':
      return 'wake';
    case 'waiting-speech':
      return 'vad';
    case 'responding':
      return state.settings.mode === 'vad' ? 'vad' : 'wake';
    case 'streaming':
    case 'vad-streaming':
      return 'ha';
    default:
      // disconnected, paused, muted, awake (the mic is muted while the awake sound plays) and
      // announcing (the satellite must not wake on or stream its own voice)
      return 'drop';
  }
}

export interface VisibleState {
  state: SatelliteStateName;
  detail?: string;
}

/** The user-visible state for MQTT and logs. */
export function visibleState(state: SatelliteState): VisibleState {
  switch (state.name) {
    case 'muted':
      return { state: 'muted' };
    case 'disconnected':
      return { state: 'disconnected' };
    default:
  }
  if (state.playback.name !== 'idle') return { state: 'speaking' };
  switch (state.name) {
    case 'paused':
      return { state: 'paused', detail: 'paused by Home Assistant' };
    case 'awake':
    case 'vad-streaming':
      return { state: 'listening' };
    case 'streaming':
      return state.trigger === 'always' ? { state: 'idle', detail: 'streaming to Home Assistant' } : { state: 'listening' };
    case 'responding':
      return { state: 'processing' };
    default:
      return { state: 'idle' };
  }
}
