/**
 * The satellite as other parts (MQTT, HTTP, CLI) see it: mute (stops all listening), speaker
 * volume (the real playback gain), wake-word choice and local announcements (`speak`, an input
 * of the satellite's reducer like everything else). Mute, volume and the wake-word choice are
 * saved in the state file and survive restarts.
 */
import type { SatelliteStateName } from '../../core/bus.js';
import type { SatelliteControl } from '../../core/satellite-control.js';
import { matchWakeModel, type WakeModelInfo } from '../../engines/wake/wake.js';
import { SatelliteError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { Speaker } from '../audio/speaker.js';
import type { WakeListener } from './satellite-listeners.js';
import type { SatelliteRuntime } from './satellite-runtime.js';
import type { SatelliteStateFile } from './satellite-state-file.js';

export interface ControllerParts {
  runtime: SatelliteRuntime;
  speaker: Speaker | null;
  wake: WakeListener | null;
  /** The wake models installed now. */
  wakeModels: () => readonly WakeModelInfo[];
  stateFile: SatelliteStateFile;
  initialVolume: number;
  log: Logger;
}

export class SatelliteController implements SatelliteControl {
  readonly #parts: ControllerParts;
  #volume: number;

  constructor(parts: ControllerParts) {
    this.#parts = parts;
    this.#volume = parts.initialVolume;
    if (parts.speaker) parts.speaker.volume = parts.initialVolume;
  }

  get state(): SatelliteStateName {
    return this.#parts.runtime.visible.state;
  }

  get detail(): string | null {
    return this.#parts.runtime.visible.detail ?? null;
  }

  get muted(): boolean {
    return this.#parts.runtime.state.name === 'muted';
  }

  get volume(): number {
    return this.#volume;
  }

  get wakeWords(): readonly string[] {
    return this.#parts.wakeModels().map((m) => m.name);
  }

  get activeWakeWord(): string | null {
    return this.#parts.wake?.words[0] ?? null;
  }

  setMuted(muted: boolean): void {
    this.#parts.runtime.dispatch({ type: 'set-muted', muted });
    this.#save();
  }

  setVolume(percent: number): void {
    if (!Number.isFinite(percent)) throw new SatelliteError('SAT_ERR_BAD_VOLUME', `volume must be a number from 0 to 100, got ${percent}`);
    this.#volume = Math.round(Math.max(0, Math.min(100, percent)));
    if (this.#parts.speaker) this.#parts.speaker.volume = this.#volume;
    this.#save();
  }

  selectWakeWord(name: string): void {
    const { wake, wakeModels, log } = this.#parts;
    // The one wake-name rule: `Hey Jarvis`, `hey-jarvis` and `hey_jarvis_v0.1` all mean hey_jarvis.
    const model = matchWakeModel(wakeModels(), name);
    if (!model) {
      throw new SatelliteError('SAT_ERR_WAKE_MODEL_NOT_FOUND', `no local wake model "${name}" (installed: ${this.wakeWords.join(', ') || 'none'})`);
    }
    if (!wake) throw new SatelliteError('SAT_ERR_NO_LOCAL_WAKE', 'the satellite does not run local wake word detection in this mode');
    wake.listen([model.name]).then(
      () => this.#save(),
      (err: unknown) => log.error({ err, name }, 'cannot switch the wake word'),
    );
  }

  /** Resolves once the announcement has really played; rejects with a coded error otherwise (see reducer-announce.ts). */
  speak(text: string): Promise<void> {
    return this.#parts.runtime.speak(text);
  }

  #save(): void {
    const wakeWords = this.#parts.wake?.words;
    this.#parts.stateFile.save({ muted: this.muted, volume: this.#volume, ...(wakeWords?.length ? { wake_words: [...wakeWords] } : {}) });
  }
}
