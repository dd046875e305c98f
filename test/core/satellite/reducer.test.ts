/**
 * The satellite reducer as a table: (state, input) → (state, effects), one row per transition,
 * plus checks that the table covers every phase and input, and a random walk that the reducer
 * survives without breaking its invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from '../../../src/core/satellite/reducer.js';
import {
  initialState,
  phaseLabel,
  playbackLabel,
  type Effect,
  type Input,
  type Phase,
  type Playback,
  type SatelliteSettings,
  type SatelliteState,
} from '../../../src/core/satellite/state.js';
import type { WyomingEvent } from '../../../src/wyoming/events.js';

const SETTINGS: SatelliteSettings = {
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
const VAD: Partial<SatelliteSettings> = { mode: 'vad' };
const ALWAYS: Partial<SatelliteSettings> = { mode: 'always-streaming' };
const MUTE: Partial<SatelliteSettings> = { hasSpeaker: false };

interface Extra {
  settings?: Partial<SatelliteSettings>;
  playback?: Playback;
  lastWake?: { name: string; at: number };
  timers?: SatelliteState['timers'];
  nextStream?: number;
}

function make(phase: Phase, extra: Extra = {}): SatelliteState {
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

const ha = (type: string, data: Record<string, unknown> = {}, payload?: Buffer, at = 0): Input => ({
  type: 'ha-event',
  event: { type, data, payload } as WyomingEvent,
  at,
});
const send = (type: string, data: Record<string, unknown>): Effect => ({ type: 'send', event: { type, data } }) as Effect;
const cancel = (timer: string): Effect => ({ type: 'cancel-timer', timer }) as Effect;
const start = (timer: string, ms: number): Effect => ({ type: 'start-timer', timer, ms }) as Effect;
const sound = (name: string, repeat = 1, delayMs = 0): Effect => ({ type: 'play-sound', sound: name, repeat, delayMs }) as Effect;
const ARM_WAKE: Effect = { type: 'arm-wake' };
const ARM_VAD: Effect = { type: 'arm-vad' };
const AUDIO_STOP = send('audio-stop', { timestamp: null });
const F22 = { rate: 22050, width: 2, channels: 1 };
const PCM = Buffer.from([1, 0, 2, 0]);

const W: Phase = { name: 'waiting-wake' };
const S: Phase = { name: 'waiting-speech' };
const STREAM: Phase = { name: 'streaming', wakeWord: 'alexa', trigger: 'wake' };
const STREAM_VAD: Phase = { name: 'streaming', wakeWord: null, trigger: 'vad' };
const ALWAYS_STREAM: Phase = { name: 'streaming', wakeWord: null, trigger: 'always' };
const AWAKE: Phase = { name: 'awake', wakeWord: 'alexa', trigger: 'wake', stage: 'sound' };
const SETTLE: Phase = { name: 'awake', wakeWord: 'alexa', trigger: 'wake', stage: 'settle' };
const SETTLE_VAD: Phase = { name: 'awake', wakeWord: 'hey_jarvis', trigger: 'vad', stage: 'settle' };
const VSTREAM: Phase = { name: 'vad-streaming' };
const RESP: Phase = { name: 'responding' };
const PAUSED: Phase = { name: 'paused' };
const DISC: Phase = { name: 'disconnected' };
const muted = (link: 'disconnected' | 'paused' | 'running'): Phase => ({ name: 'muted', link });

interface Row {
  what: string;
  from: SatelliteState;
  input: Input;
  to: string;
  effects: Effect[];
  playback?: string;
  check?: (state: SatelliteState) => void;
}

const runPipelineAsr = (end: string) => send('run-pipeline', { start_stage: 'asr', end_stage: end, restart_on_end: false, wake_word_name: 'alexa' });
const wakeEffects = (end = 'tts') => [send('detection', { name: 'alexa', timestamp: null }), runPipelineAsr(end), { type: 'notify-wake', name: 'alexa' } as Effect, sound('awake')];
const transcript = ha('transcript', { text: 'turn on the light', language: 'en' });
const notifyTranscript: Effect = { type: 'notify-transcript', text: 'turn on the light', language: 'en' };
const receiving = (stream: number): Playback => ({ name: 'receiving', stream, format: F22 });

const ROWS: Row[] = [
  // the link to Home Assistant
  { what: 'a connection moves disconnected to paused', from: make(DISC), input: { type: 'ha-connected' }, to: 'paused', effects: [] },
  { what: 'a connection while muted keeps the mute', from: make(muted('disconnected')), input: { type: 'ha-connected' }, to: 'muted(paused)', effects: [] },
  { what: 'a replacement connection changes nothing by itself', from: make(W), input: { type: 'ha-connected' }, to: 'waiting-wake', effects: [] },
  { what: 'a disconnect while disconnected changes nothing', from: make(DISC), input: { type: 'ha-disconnected' }, to: 'disconnected', effects: [] },
  { what: 'a disconnect mid-stream ends the stream', from: make(STREAM), input: { type: 'ha-disconnected' }, to: 'disconnected', effects: [cancel('stream-limit')] },
  {
    what: 'a disconnect mid-playback aborts the playback',
    from: make(W, { playback: receiving(3) }),
    input: { type: 'ha-disconnected' },
    to: 'disconnected',
    effects: [{ type: 'speaker-abort', stream: 3 }],
    playback: 'idle',
  },
  { what: 'a disconnect while muted keeps the mute', from: make(muted('running')), input: { type: 'ha-disconnected' }, to: 'muted(disconnected)', effects: [] },
  // run-satellite and pause-satellite
  { what: 'run-satellite arms local wake', from: make(PAUSED), input: ha('run-satellite'), to: 'waiting-wake', effects: [ARM_WAKE] },
  { what: 'run-satellite arms the VAD in VAD mode', from: make(PAUSED, { settings: VAD }), input: ha('run-satellite'), to: 'waiting-speech', effects: [ARM_VAD] },
  {
    what: 'run-satellite starts an endless pipeline in always-streaming mode',
    from: make(PAUSED, { settings: ALWAYS }),
    input: ha('run-satellite'),
    to: 'streaming(always)',
    effects: [send('run-pipeline', { start_stage: 'wake', end_stage: 'tts', restart_on_end: true })],
  },
  {
    what: 'always-streaming without a speaker ends its pipeline at handle',
    from: make(PAUSED, { settings: { ...ALWAYS, ...MUTE } }),
    input: ha('run-satellite'),
    to: 'streaming(always)',
    effects: [send('run-pipeline', { start_stage: 'wake', end_stage: 'handle', restart_on_end: true })],
  },
  { what: 'a new run-satellite mid-stream re-arms', from: make(STREAM), input: ha('run-satellite'), to: 'waiting-wake', effects: [cancel('stream-limit'), ARM_WAKE] },
  { what: 'run-satellite while muted only records the link', from: make(muted('paused')), input: ha('run-satellite'), to: 'muted(running)', effects: [] },
  { what: 'pause-satellite stops listening', from: make(W), input: ha('pause-satellite'), to: 'paused', effects: [] },
  { what: 'pause-satellite stops streaming', from: make(STREAM), input: ha('pause-satellite'), to: 'paused', effects: [cancel('stream-limit')] },
  { what: 'pause-satellite while muted only records the link', from: make(muted('running')), input: ha('pause-satellite'), to: 'muted(paused)', effects: [] },
  { what: 'pause-satellite while disconnected changes nothing', from: make(DISC), input: ha('pause-satellite'), to: 'disconnected', effects: [] },
  { what: 'a stray event while disconnected changes nothing', from: make(DISC), input: ha('audio-start', F22), to: 'disconnected', effects: [], playback: 'idle' },
  // the local wake word
  { what: 'a wake word sends detection and an asr→tts pipeline', from: make(W), input: { type: 'wake-detected', name: 'alexa', at: 10_000 }, to: 'awake(sound)', effects: wakeEffects() },
  {
    what: 'without a speaker the pipeline ends at handle',
    from: make(W, { settings: MUTE }),
    input: { type: 'wake-detected', name: 'alexa', at: 10_000 },
    to: 'awake(sound)',
    effects: wakeEffects('handle'),
  },
  {
    what: 'the same wake word within the refractory period is ignored',
    from: make(W, { lastWake: { name: 'alexa', at: 9_000 } }),
    input: { type: 'wake-detected', name: 'alexa', at: 10_000 },
    to: 'waiting-wake',
    effects: [],
  },
  {
    what: 'the same wake word after the refractory period fires',
    from: make(W, { lastWake: { name: 'alexa', at: 7_000 } }),
    input: { type: 'wake-detected', name: 'alexa', at: 10_000 },
    to: 'awake(sound)',
    effects: wakeEffects(),
    check: (s) => assert.deepEqual(s.lastWake, { name: 'alexa', at: 10_000 }),
  },
  {
    what: 'a wake word while the response is awaited starts a new command',
    from: make(RESP),
    input: { type: 'wake-detected', name: 'alexa', at: 10_000 },
    to: 'awake(sound)',
    effects: [cancel('response'), ...wakeEffects()],
  },
  { what: 'a wake word while streaming is ignored', from: make(STREAM), input: { type: 'wake-detected', name: 'alexa', at: 1 }, to: 'streaming(wake)', effects: [] },
  { what: 'a wake word while paused is ignored', from: make(PAUSED), input: { type: 'wake-detected', name: 'alexa', at: 1 }, to: 'paused', effects: [] },
  { what: 'a wake word while muted is ignored', from: make(muted('running')), input: { type: 'wake-detected', name: 'alexa', at: 1 }, to: 'muted(running)', effects: [] },
  // VAD mode
  {
    what: 'speech starts a wake→tts pipeline with the pre-roll',
    from: make(S, { settings: VAD }),
    input: { type: 'speech-detected' },
    to: 'vad-streaming',
    effects: [send('run-pipeline', { start_stage: 'wake', end_stage: 'tts', restart_on_end: false }), { type: 'stream-preroll' }, start('vad-wake', 5000)],
  },
  {
    what: 'speech while the response is awaited starts a new stream in VAD mode',
    from: make(RESP, { settings: VAD }),
    input: { type: 'speech-detected' },
    to: 'vad-streaming',
    effects: [cancel('response'), send('run-pipeline', { start_stage: 'wake', end_stage: 'tts', restart_on_end: false }), { type: 'stream-preroll' }, start('vad-wake', 5000)],
  },
  { what: 'speech in local-wake mode is ignored', from: make(W), input: { type: 'speech-detected' }, to: 'waiting-wake', effects: [] },
  {
    what: 'no wake word from HA in time sends audio-stop',
    from: make(VSTREAM, { settings: VAD }),
    input: { type: 'timer-expired', timer: 'vad-wake' },
    to: 'waiting-speech',
    effects: [AUDIO_STOP, ARM_VAD],
  },
  {
    what: "HA's detection in VAD mode mutes the mic for the awake sound",
    from: make(VSTREAM, { settings: VAD }),
    input: ha('detection', { name: 'hey_jarvis' }),
    to: 'awake(sound)',
    effects: [cancel('vad-wake'), { type: 'notify-wake', name: 'hey_jarvis' }, sound('awake')],
  },
  // the awake sound
  { what: 'the awake sound ending starts the settle time', from: make(AWAKE), input: { type: 'sound-finished', sound: 'awake' }, to: 'awake(settle)', effects: [start('awake-settle', 300)] },
  {
    what: 'with no settle time streaming starts when the awake sound ends',
    from: make(AWAKE, { settings: { awakeMuteMs: 0 } }),
    input: { type: 'sound-finished', sound: 'awake' },
    to: 'streaming(wake)',
    effects: [start('stream-limit', 30000)],
  },
  { what: 'another sound ending does not unmute', from: make(AWAKE), input: { type: 'sound-finished', sound: 'done' }, to: 'awake(sound)', effects: [] },
  { what: 'the settle time ending starts streaming', from: make(SETTLE), input: { type: 'timer-expired', timer: 'awake-settle' }, to: 'streaming(wake)', effects: [start('stream-limit', 30000)] },
  { what: 'after HA’s wake word the VAD stream goes on', from: make(SETTLE_VAD, { settings: VAD }), input: { type: 'timer-expired', timer: 'awake-settle' }, to: 'streaming(vad)', effects: [start('stream-limit', 30000)] },
  // streaming ends
  { what: 'a stream with no transcript in time is stopped', from: make(STREAM), input: { type: 'timer-expired', timer: 'stream-limit' }, to: 'waiting-wake', effects: [AUDIO_STOP, ARM_WAKE] },
  { what: 'a stale timer changes nothing', from: make(W), input: { type: 'timer-expired', timer: 'stream-limit' }, to: 'waiting-wake', effects: [] },
  {
    what: 'the transcript ends the stream and waits for the response',
    from: make(STREAM),
    input: transcript,
    to: 'responding',
    effects: [cancel('stream-limit'), notifyTranscript, sound('done'), start('response', 20000)],
  },
  {
    what: 'without a speaker the transcript re-arms at once',
    from: make(STREAM, { settings: MUTE }),
    input: transcript,
    to: 'waiting-wake',
    effects: [cancel('stream-limit'), notifyTranscript, sound('done'), ARM_WAKE],
  },
  {
    what: 'the transcript in VAD streaming waits for the response',
    from: make(VSTREAM, { settings: VAD }),
    input: transcript,
    to: 'responding',
    effects: [cancel('vad-wake'), notifyTranscript, sound('done'), start('response', 20000)],
  },
  {
    what: 'the transcript in VAD streaming after the wake word waits for the response',
    from: make(STREAM_VAD, { settings: VAD }),
    input: transcript,
    to: 'responding',
    effects: [cancel('stream-limit'), notifyTranscript, sound('done'), start('response', 20000)],
  },
  { what: 'the transcript in always-streaming mode keeps streaming', from: make(ALWAYS_STREAM, { settings: ALWAYS }), input: transcript, to: 'streaming(always)', effects: [notifyTranscript, sound('done')] },
  { what: 'a transcript out of a run is only reported', from: make(W), input: transcript, to: 'waiting-wake', effects: [notifyTranscript] },
  { what: 'no response in time re-arms', from: make(RESP), input: { type: 'timer-expired', timer: 'response' }, to: 'waiting-wake', effects: [ARM_WAKE] },
  { what: 'a pipeline error mid-stream re-arms', from: make(STREAM), input: ha('error', { text: 'stt failed', code: 'stt-failed' }), to: 'waiting-wake', effects: [cancel('stream-limit'), ARM_WAKE] },
  { what: 'a pipeline error while awake re-arms', from: make(SETTLE), input: ha('error', { text: 'x' }), to: 'waiting-wake', effects: [cancel('awake-settle'), ARM_WAKE] },
  { what: 'a pipeline error while awaiting the response re-arms', from: make(RESP), input: ha('error', { text: 'x' }), to: 'waiting-wake', effects: [cancel('response'), ARM_WAKE] },
  { what: 'an error out of a run changes nothing', from: make(W), input: ha('error', { text: 'x' }), to: 'waiting-wake', effects: [] },
  {
    what: 'a pipeline error in always-streaming mode asks for a new run shortly',
    from: make(ALWAYS_STREAM, { settings: ALWAYS }),
    input: ha('error', { text: 'x' }),
    to: 'streaming(always)',
    effects: [start('restart', 1000)],
  },
  {
    what: 'the restart timer sends a new endless pipeline',
    from: make(ALWAYS_STREAM, { settings: ALWAYS }),
    input: { type: 'timer-expired', timer: 'restart' },
    to: 'streaming(always)',
    effects: [send('run-pipeline', { start_stage: 'wake', end_stage: 'tts', restart_on_end: true })],
  },
  {
    what: "HA's detection in always-streaming mode rings the awake sound",
    from: make(ALWAYS_STREAM, { settings: ALWAYS }),
    input: ha('detection', { name: 'okay_nabu' }),
    to: 'streaming(always)',
    effects: [{ type: 'notify-wake', name: 'okay_nabu' }, sound('awake')],
  },
  { what: "HA's detection in local-wake mode is ignored", from: make(W), input: ha('detection', { name: 'alexa' }), to: 'waiting-wake', effects: [] },
  // playback
  {
    what: 'audio-start opens a playback stream in its format',
    from: make(W),
    input: ha('audio-start', { ...F22, timestamp: 0 }),
    to: 'waiting-wake',
    effects: [{ type: 'speaker-open', stream: 1, format: F22 }],
    playback: 'receiving#1',
  },
  {
    what: 'audio chunks go to the open stream',
    from: make(W, { playback: receiving(1), nextStream: 2 }),
    input: ha('audio-chunk', F22, PCM),
    to: 'waiting-wake',
    effects: [{ type: 'speaker-write', stream: 1, format: F22, payload: PCM }],
    playback: 'receiving#1',
  },
  {
    what: 'audio before audio-start opens a stream in the chunk format',
    from: make(RESP),
    input: ha('audio-chunk', { rate: 16000, width: 2, channels: 1 }, PCM),
    to: 'responding',
    effects: [
      { type: 'speaker-open', stream: 1, format: { rate: 16000, width: 2, channels: 1 } },
      { type: 'speaker-write', stream: 1, format: { rate: 16000, width: 2, channels: 1 }, payload: PCM },
    ],
    playback: 'receiving#1',
  },
  { what: 'audio-stop closes the stream', from: make(RESP, { playback: receiving(1) }), input: ha('audio-stop'), to: 'responding', effects: [{ type: 'speaker-close', stream: 1 }], playback: 'draining#1' },
  { what: 'audio-stop with no stream changes nothing', from: make(W), input: ha('audio-stop'), to: 'waiting-wake', effects: [], playback: 'idle' },
  {
    what: 'the end of playback sends played',
    from: make(W, { playback: { name: 'draining', stream: 1 } }),
    input: { type: 'playback-finished', stream: 1, ok: true },
    to: 'waiting-wake',
    effects: [send('played', {})],
    playback: 'idle',
  },
  {
    what: 'a failed playback sends no played',
    from: make(W, { playback: { name: 'draining', stream: 1 } }),
    input: { type: 'playback-finished', stream: 1, ok: false },
    to: 'waiting-wake',
    effects: [],
    playback: 'idle',
  },
  {
    what: 'the end of the response playback re-arms',
    from: make(RESP, { playback: { name: 'draining', stream: 1 } }),
    input: { type: 'playback-finished', stream: 1, ok: true },
    to: 'waiting-wake',
    effects: [cancel('response'), send('played', {}), ARM_WAKE],
    playback: 'idle',
  },
  {
    what: 'audio-stop then a new audio-start queues a second stream',
    from: make(RESP, { playback: { name: 'draining', stream: 1 }, nextStream: 2 }),
    input: ha('audio-start', F22),
    to: 'responding',
    effects: [{ type: 'speaker-open', stream: 2, format: F22 }],
    playback: 'receiving#2',
  },
  {
    what: 'the end of a replaced stream sends no played',
    from: make(RESP, { playback: receiving(2), nextStream: 3 }),
    input: { type: 'playback-finished', stream: 1, ok: true },
    to: 'responding',
    effects: [],
    playback: 'receiving#2',
  },
  {
    what: 'audio-start without audio-stop closes the open stream first',
    from: make(W, { playback: receiving(1), nextStream: 2 }),
    input: ha('audio-start', F22),
    to: 'waiting-wake',
    effects: [
      { type: 'speaker-close', stream: 1 },
      { type: 'speaker-open', stream: 2, format: F22 },
    ],
    playback: 'receiving#2',
  },
  {
    what: 'audio-start in a format that cannot be played is answered with an error',
    from: make(W),
    input: ha('audio-start', { rate: 22050, width: 3, channels: 1 }),
    to: 'waiting-wake',
    effects: [send('error', { text: 'cannot play audio: unsupported sample width 3 (use 1, 2 or 4 bytes)', code: 'SAT_ERR_AUDIO_FORMAT' })],
    playback: 'idle',
  },
  { what: 'a chunk in a format that cannot be played is dropped', from: make(W), input: ha('audio-chunk', { rate: 22050, width: 3, channels: 1 }, PCM), to: 'waiting-wake', effects: [], playback: 'idle' },
  // timers
  {
    what: 'timer-started is tracked',
    from: make(W),
    input: ha('timer-started', { id: 't1', total_seconds: 300, name: 'pasta' }, undefined, 5),
    to: 'waiting-wake',
    effects: [],
    check: (s) => assert.deepEqual(s.timers, [{ id: 't1', name: 'pasta', totalSeconds: 300, status: 'running', since: 5 }]),
  },
  {
    what: 'timer-updated pauses a timer',
    from: make(W, { timers: [{ id: 't1', name: 'pasta', totalSeconds: 300, status: 'running', since: 5 }] }),
    input: ha('timer-updated', { id: 't1', is_active: false, total_seconds: 200 }, undefined, 9),
    to: 'waiting-wake',
    effects: [],
    check: (s) => assert.deepEqual(s.timers, [{ id: 't1', name: 'pasta', totalSeconds: 200, status: 'paused', since: 9 }]),
  },
  {
    what: 'timer-cancelled forgets a timer',
    from: make(W, { timers: [{ id: 't1', name: null, totalSeconds: 1, status: 'running', since: 0 }] }),
    input: ha('timer-cancelled', { id: 't1' }),
    to: 'waiting-wake',
    effects: [],
    check: (s) => assert.deepEqual(s.timers, []),
  },
  { what: 'cancelling an unknown timer changes nothing', from: make(W), input: ha('timer-cancelled', { id: 'nope' }), to: 'waiting-wake', effects: [] },
  {
    what: 'timer-finished rings the timer sound the configured number of times',
    from: make(muted('running'), { timers: [{ id: 't1', name: null, totalSeconds: 1, status: 'running', since: 0 }] }),
    input: ha('timer-finished', { id: 't1' }),
    to: 'muted(running)',
    effects: [sound('timer', 3, 500)],
    check: (s) => assert.deepEqual(s.timers, []),
  },
  // local mute
  { what: 'mute stops listening', from: make(W), input: { type: 'set-muted', muted: true }, to: 'muted(running)', effects: [] },
  { what: 'mute mid-stream ends the stream for HA', from: make(STREAM), input: { type: 'set-muted', muted: true }, to: 'muted(running)', effects: [AUDIO_STOP, cancel('stream-limit')] },
  { what: 'mute while awake ends the run', from: make(AWAKE), input: { type: 'set-muted', muted: true }, to: 'muted(running)', effects: [AUDIO_STOP, cancel('awake-settle')] },
  { what: 'mute while disconnected remembers the link', from: make(DISC), input: { type: 'set-muted', muted: true }, to: 'muted(disconnected)', effects: [] },
  { what: 'mute while paused remembers the link', from: make(PAUSED), input: { type: 'set-muted', muted: true }, to: 'muted(paused)', effects: [] },
  { what: 'mute twice changes nothing', from: make(muted('running')), input: { type: 'set-muted', muted: true }, to: 'muted(running)', effects: [] },
  { what: 'unmute while running re-arms', from: make(muted('running')), input: { type: 'set-muted', muted: false }, to: 'waiting-wake', effects: [ARM_WAKE] },
  { what: 'unmute while paused stays paused', from: make(muted('paused')), input: { type: 'set-muted', muted: false }, to: 'paused', effects: [] },
  { what: 'unmute while disconnected stays disconnected', from: make(muted('disconnected')), input: { type: 'set-muted', muted: false }, to: 'disconnected', effects: [] },
  { what: 'unmute when not muted changes nothing', from: make(W), input: { type: 'set-muted', muted: false }, to: 'waiting-wake', effects: [] },
  // the microphone going away
  { what: 'losing the mic mid-stream ends the stream', from: make(STREAM), input: { type: 'mic-lost' }, to: 'waiting-wake', effects: [AUDIO_STOP, cancel('stream-limit'), ARM_WAKE] },
  { what: 'losing the mic in VAD streaming ends the stream', from: make(VSTREAM, { settings: VAD }), input: { type: 'mic-lost' }, to: 'waiting-speech', effects: [AUDIO_STOP, cancel('vad-wake'), ARM_VAD] },
  { what: 'losing the mic while waiting changes nothing', from: make(W), input: { type: 'mic-lost' }, to: 'waiting-wake', effects: [] },
];

for (const row of ROWS) {
  test(`reducer: ${row.what}`, () => {
    const { state, effects } = step(row.from, row.input);
    assert.equal(phaseLabel(state), row.to);
    assert.deepEqual(effects, row.effects);
    if (row.playback) assert.equal(playbackLabel(state.playback), row.playback);
    row.check?.(state);
    if (effects.length === 0 && phaseLabel(state) === phaseLabel(row.from) && !row.check && !row.playback) {
      assert.equal(state, row.from, 'an input that changes nothing returns the same state');
    }
  });
}

test('the reducer table starts from every phase and uses every input', () => {
  const phases = new Set(ROWS.map((r) => r.from.name));
  for (const name of ['disconnected', 'paused', 'muted', 'waiting-wake', 'waiting-speech', 'awake', 'streaming', 'vad-streaming', 'responding']) {
    assert.ok(phases.has(name as Phase['name']), `no row starts from ${name}`);
  }
  const inputs = new Set(ROWS.map((r) => (r.input.type === 'ha-event' ? `ha:${r.input.event.type}` : r.input.type)));
  for (const input of [
    'ha-connected',
    'ha-disconnected',
    'wake-detected',
    'speech-detected',
    'sound-finished',
    'playback-finished',
    'timer-expired',
    'set-muted',
    'mic-lost',
    'ha:run-satellite',
    'ha:pause-satellite',
    'ha:transcript',
    'ha:error',
    'ha:detection',
    'ha:audio-start',
    'ha:audio-chunk',
    'ha:audio-stop',
    'ha:timer-started',
    'ha:timer-updated',
    'ha:timer-cancelled',
    'ha:timer-finished',
  ]) {
    assert.ok(inputs.has(input), `no row uses ${input}`);
  }
});

test('a random walk of inputs never throws, never streams while muted and never leaves a stream open without a run', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const inputs: Input[] = [
    { type: 'ha-connected' },
    { type: 'ha-disconnected' },
    ha('run-satellite'),
    ha('pause-satellite'),
    transcript,
    ha('error', { text: 'x' }),
    ha('detection', { name: 'alexa' }),
    ha('audio-start', F22),
    ha('audio-chunk', F22, PCM),
    ha('audio-stop'),
    ha('timer-started', { id: 'a', total_seconds: 5 }),
    ha('timer-finished', { id: 'a' }),
    { type: 'speech-detected' },
    { type: 'sound-finished', sound: 'awake' },
    { type: 'timer-expired', timer: 'awake-settle' },
    { type: 'timer-expired', timer: 'vad-wake' },
    { type: 'timer-expired', timer: 'stream-limit' },
    { type: 'timer-expired', timer: 'response' },
    { type: 'set-muted', muted: true },
    { type: 'set-muted', muted: false },
    { type: 'mic-lost' },
  ];
  for (const mode of ['local-wake', 'vad', 'always-streaming'] as const) {
    let state = initialState({ ...SETTINGS, mode });
    let opened = 0;
    let closed = 0;
    for (let i = 0; i < 5000; i++) {
      const pick = rand(inputs.length + 2);
      const input: Input =
        pick === inputs.length
          ? { type: 'wake-detected', name: 'alexa', at: i * 1000 }
          : pick === inputs.length + 1 && state.playback.name !== 'idle'
            ? { type: 'playback-finished', stream: state.playback.stream, ok: true }
            : inputs[pick % inputs.length]!;
      const { state: next, effects } = step(state, input);
      for (const e of effects) {
        if (e.type === 'speaker-open') opened++;
        if (e.type === 'speaker-close' || e.type === 'speaker-abort') closed++;
        if (e.type === 'send' && e.event.type === 'run-pipeline') assert.notEqual(next.name, 'muted');
        if (e.type === 'send' && e.event.type === 'run-pipeline') {
          assert.notEqual(e.event.data.start_stage, 'intent');
          assert.notEqual(e.event.data.end_stage, 'intent');
        }
      }
      if (next.name === 'disconnected') assert.equal(next.playback.name, 'idle');
      state = next;
    }
    assert.ok(closed >= opened - 1, `${mode}: every playback stream but the current one was closed or aborted`);
  }
});
