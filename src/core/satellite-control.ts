/** What other parts (MQTT, HTTP) may ask of the local satellite. Implemented by the satellite. */
import type { SatelliteStateName } from './bus.js';

export interface SatelliteControl {
  readonly state: SatelliteStateName;
  /** Why the state is what it is, when there is more to say (`microphone unavailable: …`, `paused by Home Assistant`); else null. */
  readonly detail: string | null;
  readonly muted: boolean;
  /** Speaker volume, 0..100 %. */
  readonly volume: number;
  /** Local wake models the user may pick from, and the active one. */
  readonly wakeWords: readonly string[];
  readonly activeWakeWord: string | null;
  setMuted(muted: boolean): void;
  setVolume(percent: number): void;
  selectWakeWord(name: string): void;
  /** Speak text on the local speaker through the local TTS. */
  speak(text: string): Promise<void>;
}
