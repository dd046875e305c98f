/**
 * The reducer's handling of HA's audio (TTS replies, announcements) and timers. Each
 * audio-start…audio-stop is one numbered playback stream; `played` goes to HA when the speaker has
 * really finished the last stream. Audio that arrives without `audio-start` (before `synthesize`,
 * or after an `audio-stop`) opens a stream; every chunk is played in its own format. HA's audio
 * cuts a local announcement short (see reducer-announce.ts).
 */
import { checkFormat, type PcmFormat } from '../../audio/pcm.js';
import type { EventOf } from '../../wyoming/events.js';
import { onAnnouncementPlayed, yieldToHomeAssistant } from './reducer-announce.js';
import type { Effect, SatelliteState, StepResult, TrackedTimer } from './state.js';
import { arm, unchanged } from './transitions.js';

function formatError(format: PcmFormat): string | null {
  try {
    checkFormat(format);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function openStream(state: SatelliteState, before: Effect[] = []): StepResult {
  const stream = state.nextStream;
  return {
    state: { ...state, playback: { name: 'receiving', stream }, nextStream: stream + 1 },
    effects: [...before, { type: 'speaker-open', stream }],
  };
}

export function onAudioStart(state: SatelliteState, data: PcmFormat): StepResult {
  // Checked here so HA hears at once; the stream itself plays each chunk in the chunk's format.
  const problem = formatError(data);
  if (problem) {
    return { state, effects: [{ type: 'send', event: { type: 'error', data: { text: `cannot play audio: ${problem}`, code: 'SAT_ERR_AUDIO_FORMAT' } } }] };
  }
  const yielded = yieldToHomeAssistant(state);
  // A new audio-start while a stream is open ends that stream first (HA restarting its TTS stream).
  const playback = yielded.state.playback;
  const before: Effect[] = playback.name === 'receiving' ? [{ type: 'speaker-close', stream: playback.stream }] : [];
  return openStream(yielded.state, [...yielded.effects, ...before]);
}

export function onAudioChunk(state: SatelliteState, data: PcmFormat, payload: Buffer): StepResult {
  const format = { rate: data.rate, width: data.width, channels: data.channels };
  if (formatError(format) !== null || payload.length === 0) return unchanged(state);
  const yielded = yieldToHomeAssistant(state);
  const opened = yielded.state.playback.name === 'receiving' ? yielded : openStream(yielded.state, yielded.effects);
  const playback = opened.state.playback;
  if (playback.name !== 'receiving') return opened;
  return { state: opened.state, effects: [...opened.effects, { type: 'speaker-write', stream: playback.stream, format, payload }] };
}

export function onAudioStop(state: SatelliteState): StepResult {
  if (state.playback.name !== 'receiving') return unchanged(state);
  const { stream } = state.playback;
  return { state: { ...state, playback: { name: 'draining', stream } }, effects: [{ type: 'speaker-close', stream }] };
}

/** The speaker finished a stream. `played` only for the stream HA is waiting on. */
export function onPlaybackFinished(state: SatelliteState, stream: number, ok: boolean): StepResult {
  if (state.playback.name === 'announcement') return onAnnouncementPlayed(state, stream, ok);
  if (state.playback.name !== 'draining' || state.playback.stream !== stream) return unchanged(state);
  const idle: SatelliteState = { ...state, playback: { name: 'idle' } };
  const played: Effect[] = ok ? [{ type: 'send', event: { type: 'played', data: {} } }] : [];
  if (state.name === 'responding') return arm(idle, [{ type: 'cancel-timer', timer: 'response' }, ...played]);
  return { state: idle, effects: played };
}

type TimerEvent = EventOf<'timer-started'> | EventOf<'timer-updated'> | EventOf<'timer-cancelled'> | EventOf<'timer-finished'>;

/** Timers run in HA; the satellite tracks them for display and rings when one finishes. */
export function onTimerEvent(state: SatelliteState, event: TimerEvent, at: number): StepResult {
  const others = state.timers.filter((t) => t.id !== event.data.id);
  const current = state.timers.find((t) => t.id === event.data.id);
  switch (event.type) {
    case 'timer-started': {
      const timer: TrackedTimer = { id: event.data.id, name: event.data.name ?? null, totalSeconds: event.data.total_seconds, status: 'running', since: at };
      return { state: { ...state, timers: [...others, timer] }, effects: [] };
    }
    case 'timer-updated': {
      const timer: TrackedTimer = {
        id: event.data.id,
        name: current?.name ?? null,
        totalSeconds: event.data.total_seconds,
        status: event.data.is_active ? 'running' : 'paused',
        since: at,
      };
      return { state: { ...state, timers: [...others, timer] }, effects: [] };
    }
    case 'timer-cancelled':
      return current ? { state: { ...state, timers: others }, effects: [] } : unchanged(state);
    case 'timer-finished': {
      const { timerRepeat, timerRepeatDelayMs } = state.settings;
      return {
        state: current ? { ...state, timers: others } : state,
        effects: [{ type: 'play-sound', sound: 'timer', repeat: timerRepeat, delayMs: timerRepeatDelayMs }],
      };
    }
  }
}
