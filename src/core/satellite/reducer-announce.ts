/**
 * Local announcements (MQTT `speak`). The text is synthesised into a numbered speaker stream like
 * HA's audio, and while it plays nothing is listened to, so the satellite neither wakes on nor
 * streams its own voice. What a Home Assistant user would expect, kept simple:
 *
 * - listening (wake word, VAD, always-streaming), paused or disconnected: it plays in the phase
 *   `announcing` (shown as `speaking`); the end returns to where the link stands, re-arming wake
 *   or VAD from fresh audio. It is a local output, so HA's link is not needed.
 * - muted: it plays and the phase stays `muted`: the mute is the microphone's (timers ring too).
 * - during a voice command (awake, streaming, responding) or while anything else plays (HA's
 *   audio, another announcement): refused at once with SAT_ERR_SATELLITE_BUSY, as HA refuses a
 *   second announcement (SatelliteBusyError). Talking over the user or queueing for an unbounded
 *   time would both surprise more; the caller sees the code and can retry.
 * - HA's audio during an announcement interrupts it (SAT_ERR_SPEAK_INTERRUPTED): HA owns the
 *   satellite and gives up on `played` soon after its audio's length, so it cannot wait for us.
 * - HA connecting, leaving, `run-satellite`, `pause-satellite`: only the link underneath changes;
 *   the announcement plays on, and the listening they ask for starts when it ends.
 */
import type { Effect, Failure, SatelliteState, StepResult } from './state.js';
import { isStreaming, leave, linkOf, restore, unchanged, withPhase } from './transitions.js';

const busy = (why: string): Failure => ({ code: 'SAT_ERR_SATELLITE_BUSY', message: `the satellite cannot speak now: ${why}` });

function refusal(state: SatelliteState): Failure | null {
  if (!state.settings.hasSpeaker) return { code: 'SAT_ERR_NO_SPEAKER', message: 'the satellite has no speaker configured' };
  if (state.playback.name === 'announcement') return busy('it is saying something else');
  if (state.playback.name !== 'idle') return busy("it is playing Home Assistant's audio");
  if (isStreaming(state) || state.name === 'awake' || state.name === 'responding') return busy('a voice command is in progress');
  return null;
}

export function onSpeak(state: SatelliteState, request: number, text: string): StepResult {
  const failure = refusal(state);
  if (failure) return { state, effects: [{ type: 'speak-result', request, failure }] };
  const stream = state.nextStream;
  const playing: SatelliteState = { ...state, playback: { name: 'announcement', stream, request, stage: 'synthesizing' }, nextStream: stream + 1 };
  return {
    state: state.name === 'muted' ? playing : withPhase(playing, { name: 'announcing', link: linkOf(state) }),
    effects: [...leave(state), { type: 'speaker-open', stream }, { type: 'synthesize', stream, text }],
  };
}

/** All audio is made: let the speaker finish it. Failed: stop the stream and tell the caller. */
export function onSynthesisFinished(state: SatelliteState, stream: number, failure: Failure | null): StepResult {
  const playback = state.playback;
  if (playback.name !== 'announcement' || playback.stream !== stream || playback.stage !== 'synthesizing') return unchanged(state);
  if (!failure) return { state: { ...state, playback: { ...playback, stage: 'draining' } }, effects: [{ type: 'speaker-close', stream }] };
  return endAnnouncement(state, [{ type: 'speaker-abort', stream }, { type: 'speak-result', request: playback.request, failure }]);
}

/** The speaker has really played the announcement (or failed): answer the caller, listen again. */
export function onAnnouncementPlayed(state: SatelliteState, stream: number, ok: boolean): StepResult {
  const playback = state.playback;
  if (playback.name !== 'announcement' || playback.stream !== stream || playback.stage !== 'draining') return unchanged(state);
  const failure: Failure | null = ok ? null : { code: 'SAT_ERR_AUDIO_DEVICE', message: 'the speaker failed during the announcement' };
  return endAnnouncement(state, [{ type: 'speak-result', request: playback.request, failure }]);
}

/** HA's audio takes the speaker: a local announcement in progress is cut short. */
export function yieldToHomeAssistant(state: SatelliteState): StepResult {
  const playback = state.playback;
  if (playback.name !== 'announcement') return unchanged(state);
  const failure: Failure = { code: 'SAT_ERR_SPEAK_INTERRUPTED', message: "Home Assistant's audio interrupted the announcement" };
  return endAnnouncement(state, [{ type: 'speaker-abort', stream: playback.stream }, { type: 'speak-result', request: playback.request, failure }]);
}

/** Back to what the link allows (arming with a reset forgets what the mic heard meanwhile); a mute stays. */
function endAnnouncement(state: SatelliteState, effects: Effect[]): StepResult {
  const idle: SatelliteState = { ...state, playback: { name: 'idle' } };
  if (state.name === 'announcing') return restore(idle, state.link, effects);
  return { state: idle, effects };
}
