/** Where mic audio goes and what users see, for every phase. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, type Phase, type Playback, type SatelliteSettings, type SatelliteState } from '../../../src/core/satellite/state.js';
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

const HA_AUDIO: Playback = { name: 'draining', stream: 1 };
const ANNOUNCEMENT: Playback = { name: 'announcement', stream: 1, request: 1, stage: 'synthesizing' };

const at = (phase: Phase, mode: SatelliteSettings['mode'] = 'local-wake', playing: boolean | Playback = false): SatelliteState =>
  ({ ...initialState({ ...SETTINGS, mode }), ...phase, ...(playing ? { playback: playing === true ? HA_AUDIO : playing } : {}) }) as SatelliteState;

const ROWS: Array<[string, SatelliteState, string, string]> = [
  ['disconnected', at({ name: 'disconnected' }), 'drop', 'disconnected'],
  ['paused by Home Assistant', at({ name: 'paused' }), 'drop', 'paused'],
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
  ['announcing', at({ name: 'announcing', link: 'running' }, 'local-wake', ANNOUNCEMENT), 'drop', 'speaking'],
  ['announcing in VAD mode', at({ name: 'announcing', link: 'running' }, 'vad', ANNOUNCEMENT), 'drop', 'speaking'],
  ['announcing without HA', at({ name: 'announcing', link: 'disconnected' }, 'local-wake', ANNOUNCEMENT), 'drop', 'speaking'],
  ['muted while announcing', at({ name: 'muted', link: 'running' }, 'local-wake', ANNOUNCEMENT), 'drop', 'muted'],
];

for (const [what, state, route, visible] of ROWS) {
  test(`${what}: mic → ${route}, shown as ${visible}`, () => {
    assert.equal(micRoute(state), route);
    assert.equal(visibleState(state).state, visible);
  });
}
