/** Where mic audio goes and what users see, for every phase. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, type Phase, type SatelliteSettings, type SatelliteState } from '../../../src/core/satellite/state.js';
import { micRoute, visibleState } from '../../../src/core/satellite/views.js';

const SETTINGS: SatelliteSettings = {
  mode: 'local-wake',
  hasSpeaker: true,
  refractoryMs: 0,
  awakeMuteMs: 0,
  vadWakeTimeoutMs: 0,
  maxStreamMs: 0,
  responseTimeoutMs: 0,
  restartDelayMs: 0,
  timerRepeat: 1,
  timerRepeatDelayMs: 0,
};

const at = (phase: Phase, mode: SatelliteSettings['mode'] = 'local-wake', playing = false): SatelliteState =>
  ({ ...initialState({ ...SETTINGS, mode }), ...phase, ...(playing ? { playback: { name: 'draining', stream: 1 } } : {}) }) as SatelliteState;

const ROWS: Array<[string, SatelliteState, string, string]> = [
  ['disconnected', at({ name: 'disconnected' }), 'drop', 'disconnected'],
  ['paused', at({ name: 'paused' }), 'drop', 'idle'],
  ['muted', at({ name: 'muted', link: 'running' }), 'drop', 'muted'],
  ['muted while playing', at({ name: 'muted', link: 'running' }, 'local-wake', true), 'drop', 'muted'],
  ['waiting for the wake word', at({ name: 'waiting-wake' }), 'wake', 'idle'],
  ['waiting for speech', at({ name: 'waiting-speech' }, 'vad'), 'vad', 'idle'],
  ['awake (the mic is muted)', at({ name: 'awake', wakeWord: 'alexa', trigger: 'wake', stage: 'sound' }), 'drop', 'listening'],
  ['streaming after the wake word', at({ name: 'streaming', wakeWord: 'alexa', trigger: 'wake' }), 'ha', 'listening'],
  ['streaming always', at({ name: 'streaming', wakeWord: null, trigger: 'always' }, 'always-streaming'), 'ha', 'idle'],
  ['VAD streaming', at({ name: 'vad-streaming' }, 'vad'), 'ha', 'listening'],
  ['responding, local wake', at({ name: 'responding' }), 'wake', 'processing'],
  ['responding, VAD', at({ name: 'responding' }, 'vad'), 'vad', 'processing'],
  ['responding while the answer plays', at({ name: 'responding' }, 'local-wake', true), 'wake', 'speaking'],
];

for (const [what, state, route, visible] of ROWS) {
  test(`${what}: mic → ${route}, shown as ${visible}`, () => {
    assert.equal(micRoute(state), route);
    assert.equal(visibleState(state).state, visible);
  });
}
