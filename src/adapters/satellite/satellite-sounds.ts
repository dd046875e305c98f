/**
 * The awake, done and timer sounds: a configured WAV file, `builtin` (synthesised, and written to
 * `<state_dir>/sounds/` at first use so users can find and replace them), or `none`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PcmFormat } from '../../audio/pcm.js';
import { encodeWav, parseWav } from '../../audio/wav.js';
import type { SoundName } from '../../core/satellite/state.js';
import { SatelliteError } from '../../util/errors.js';
import { SOUND_FORMAT, synthesizeSound } from './satellite-sound-synth.js';

export interface Sound {
  pcm: Buffer;
  format: PcmFormat;
}

export type SoundSet = Record<SoundName, Sound | null>;

const FILE_NAMES: Record<SoundName, string> = { awake: 'awake.wav', done: 'done.wav', timer: 'timer-finished.wav' };

/** Writes the built-in sound to the state folder if it is not there yet; returns its path. */
export function builtinSoundFile(name: SoundName, stateDir: string): string {
  const file = path.join(stateDir, 'sounds', FILE_NAMES[name]);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodeWav(synthesizeSound(name), SOUND_FORMAT));
  }
  return file;
}

function loadSound(name: SoundName, setting: string, stateDir: string): Sound | null {
  if (setting === 'none') return null;
  const file = setting === 'builtin' ? builtinSoundFile(name, stateDir) : setting;
  try {
    const wav = parseWav(readFileSync(file));
    return { pcm: wav.pcm, format: wav.format };
  } catch (err) {
    throw new SatelliteError('SAT_ERR_SOUND', `cannot use ${file} as the ${name} sound: ${(err as Error).message}`, { cause: err });
  }
}

export function loadSounds(settings: { awake: string; done: string; timer_finished: string }, stateDir: string): SoundSet {
  return {
    awake: loadSound('awake', settings.awake, stateDir),
    done: loadSound('done', settings.done, stateDir),
    timer: loadSound('timer', settings.timer_finished, stateDir),
  };
}
