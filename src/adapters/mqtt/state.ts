/**
 * The JSON document on `<base>/state` (retained): satellite state, mute, volume, wake word, the
 * last transcript and wake word, provider stats and version. Entities read it through templates.
 */
import type { SatelliteStateName } from '../../core/bus.js';
import type { SatelliteControl } from '../../core/satellite-control.js';
import type { StatsSnapshot } from '../../core/provider-stats.js';

/** Home Assistant keeps at most 255 characters of an entity state. */
export const MAX_STATE_CHARS = 255;
const ELLIPSIS = '…';

export interface LastTranscript {
  text: string;
  language: string | null;
  source: 'satellite' | 'provider';
  at: string;
}

export interface LastWake {
  word: string;
  phrase: string;
  source: 'satellite' | 'provider';
  at: string;
}

export interface ModelSummary {
  installed: string[];
  loaded: string[];
}

export interface StateInputs {
  satellite: SatelliteControl | undefined;
  haConnected: boolean;
  transcript: LastTranscript | null;
  wake: LastWake | null;
  stats: StatsSnapshot;
  models: ModelSummary;
  version: string;
}

export interface StateDocument {
  state: SatelliteStateName | null;
  muted: boolean | null;
  volume: number | null;
  wake_word: string | null;
  wake_words: string[];
  ha_connected: boolean | null;
  /** Short form for the transcript sensor's state (≤ 255 characters). */
  last_transcript: string;
  transcript: LastTranscript | null;
  wake: LastWake | null;
  stats: {
    requests: number;
    errors: number;
    loaded_models: string[];
    installed_models: string[];
    event_loop_delay_p99_ms: number;
    uptime_s: number;
  };
  version: string;
}

/** Cuts text to HA's state limit, marking the cut. */
export function shortState(text: string, max = MAX_STATE_CHARS): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - ELLIPSIS.length).join('') + ELLIPSIS;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function buildState(inputs: StateInputs): StateDocument {
  const sat = inputs.satellite;
  return {
    state: sat ? sat.state : null,
    muted: sat ? sat.muted : null,
    volume: sat ? Math.round(sat.volume) : null,
    wake_word: sat ? sat.activeWakeWord : null,
    wake_words: sat ? [...sat.wakeWords] : [],
    ha_connected: sat ? inputs.haConnected : null,
    last_transcript: shortState(inputs.transcript?.text ?? ''),
    transcript: inputs.transcript,
    wake: inputs.wake,
    stats: {
      requests: inputs.stats.requests,
      errors: inputs.stats.errors,
      loaded_models: inputs.models.loaded,
      installed_models: inputs.models.installed,
      event_loop_delay_p99_ms: round(Number.isFinite(inputs.stats.eventLoopDelayP99Ms) ? inputs.stats.eventLoopDelayP99Ms : 0),
      uptime_s: inputs.stats.uptimeSeconds,
    },
    version: inputs.version,
  };
}
