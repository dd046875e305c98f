/**
 * The JSON document on `<base>/state` (retained): satellite state and its detail, mute, volume,
 * wake word, the satellite's last transcript and wake word, the provider endpoint's (under
 * `provider`, never mixed with the satellite's), stats and version. Entities read it through
 * templates.
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

/** What one source (the satellite, or the provider endpoint) last heard. */
export interface Activity {
  transcript: LastTranscript | null;
  wake: LastWake | null;
}

export interface StateInputs {
  satellite: SatelliteControl | undefined;
  haConnected: boolean;
  /** The satellite's own transcripts and wake words. */
  satelliteActivity: Activity;
  /** What the provider endpoint served (for whichever satellite asked). */
  providerActivity: Activity;
  stats: StatsSnapshot;
  models: ModelSummary;
  version: string;
}

export interface ActivityDocument {
  /** Short form for a transcript sensor's state (≤ 255 characters); null until words were heard (HA shows unknown, not a blank). */
  last_transcript: string | null;
  transcript: LastTranscript | null;
  wake: LastWake | null;
}

export interface StateDocument extends ActivityDocument {
  state: SatelliteStateName | null;
  /** Why the state is what it is (`microphone unavailable: …`, `paused by Home Assistant`), else null. */
  detail: string | null;
  muted: boolean | null;
  volume: number | null;
  wake_word: string | null;
  wake_words: string[];
  ha_connected: boolean | null;
  provider: ActivityDocument;
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

function activityDocument(activity: Activity): ActivityDocument {
  return { last_transcript: activity.transcript?.text ? shortState(activity.transcript.text) : null, transcript: activity.transcript, wake: activity.wake };
}

export function buildState(inputs: StateInputs): StateDocument {
  const sat = inputs.satellite;
  return {
    state: sat ? sat.state : null,
    detail: sat ? sat.detail : null,
    muted: sat ? sat.muted : null,
    volume: sat ? Math.round(sat.volume) : null,
    wake_word: sat ? sat.activeWakeWord : null,
    wake_words: sat ? [...sat.wakeWords] : [],
    ha_connected: sat ? inputs.haConnected : null,
    ...activityDocument(inputs.satelliteActivity),
    provider: activityDocument(inputs.providerActivity),
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
