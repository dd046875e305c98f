/**
 * The satellite reducer as a table: (state, input) → (state, effects), one row per transition,
 * plus checks that the table covers every phase and input, and a random walk that the reducer
 * survives without breaking its invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from '../../../src/core/satellite/reducer.js';
import { initialState, phaseLabel, playbackLabel, type Input, type Phase } from '../../../src/core/satellite/state.js';
import { micRoute } from '../../../src/core/satellite/views.js';
import { F22, ha, PCM, SETTINGS, transcript } from './reducer-fixtures.js';
import { ANNOUNCE_ROWS } from './reducer-rows-announce.js';
import { LISTENING_ROWS } from './reducer-rows-listening.js';
import { PLAYBACK_ROWS } from './reducer-rows-playback.js';

const ROWS = [...LISTENING_ROWS, ...PLAYBACK_ROWS, ...ANNOUNCE_ROWS];

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
  for (const name of ['disconnected', 'paused', 'muted', 'waiting-wake', 'waiting-speech', 'awake', 'streaming', 'vad-streaming', 'responding', 'announcing']) {
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
    'speak',
    'synthesis-finished',
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

test('a random walk of inputs never throws, never streams while muted, never leaves a stream open without a run, never listens to its own announcement and answers every speak once', () => {
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
    { type: 'speak', request: 0, text: 'hello' },
  ];
  for (const mode of ['local-wake', 'vad', 'always-streaming'] as const) {
    let state = initialState({ ...SETTINGS, mode });
    let opened = 0;
    let closed = 0;
    const unanswered = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const pick = rand(inputs.length + 3);
      const playing = state.playback;
      let input: Input = inputs[pick % inputs.length]!;
      if (pick === inputs.length) input = { type: 'wake-detected', name: 'alexa', at: i * 1000 };
      if (pick === inputs.length + 1 && playing.name !== 'idle') input = { type: 'playback-finished', stream: playing.stream, ok: rand(4) > 0 };
      if (pick === inputs.length + 2 && playing.name === 'announcement') {
        input = { type: 'synthesis-finished', stream: playing.stream, failure: rand(4) > 0 ? null : { code: 'SAT_ERR_TTS_ENGINE', message: 'x' } };
      }
      if (input.type === 'speak') {
        input = { ...input, request: i };
        unanswered.add(i);
      }
      const { state: next, effects } = step(state, input);
      for (const e of effects) {
        if (e.type === 'speak-result') assert.ok(unanswered.delete(e.request), `${mode}: speak ${e.request} answered once`);
        if (e.type === 'speaker-open') opened++;
        if (e.type === 'speaker-close' || e.type === 'speaker-abort') closed++;
        if (e.type === 'send' && e.event.type === 'run-pipeline') assert.notEqual(next.name, 'muted');
        if (e.type === 'send' && e.event.type === 'run-pipeline') {
          assert.notEqual(e.event.data.start_stage, 'intent');
          assert.notEqual(e.event.data.end_stage, 'intent');
        }
      }
      if (next.name === 'disconnected') assert.equal(next.playback.name, 'idle');
      if (next.name === 'announcing') assert.equal(next.playback.name, 'announcement', `${mode}: announcing always has its announcement`);
      if (next.playback.name === 'announcement') assert.equal(micRoute(next), 'drop', `${mode}: the mic goes nowhere while the satellite speaks`);
      state = next;
    }
    assert.ok(unanswered.size <= 1, `${mode}: only the announcement still playing awaits its answer`);
    assert.ok(closed >= opened - 1, `${mode}: every playback stream but the current one was closed or aborted`);
  }
});
