/**
 * Picks the audio backend for a device: with `auto`, PortAudio (naudiodon) when the package loads
 * and knows the device by name, else arecord/aplay, which take any ALSA device string. The choice
 * and why the other backend is not used are said once per device at start-up, and by
 * `satellite devices`: a missing naudiodon (npm drops it silently when it cannot compile it) is
 * otherwise invisible.
 */
import { spawnSync } from 'node:child_process';
import type { Logger } from '../../util/logger.js';
import type { AudioBackend } from './audio-device.js';
import { AlsaBackend } from './alsa-backend.js';
import { loadPortAudio, PortAudioBackend } from './portaudio-backend.js';
import { alsaEnv } from './alsa-process.js';

export type BackendChoice = 'auto' | 'naudiodon' | 'alsa';

/** How each backend is named in messages. */
export const BACKEND_LABEL = { portaudio: 'PortAudio (naudiodon)', alsa: 'arecord/aplay (ALSA)' } as const;

let portAudio: PortAudioBackend | { error: string } | undefined;

/** naudiodon, loaded once (PortAudio reads the ALSA configuration when it starts). */
export function portAudioBackend(alsaConfig: string | null): PortAudioBackend | { error: string } {
  if (!portAudio) {
    if (alsaConfig) process.env['ALSA_CONFIG_PATH'] = alsaEnv(alsaConfig)['ALSA_CONFIG_PATH'];
    const loaded = loadPortAudio();
    portAudio = 'module' in loaded ? new PortAudioBackend(loaded.module) : loaded;
  }
  return portAudio;
}

/** Which backend a device gets, and why the other one is not used. */
export interface BackendDecision {
  backend: 'portaudio' | 'alsa';
  /** Why the other backend is not used, e.g. "naudiodon is not installed: …". */
  why: string;
}

/** PortAudio's answer for one device: loaded and knows it, loaded and does not, or not loaded (why). */
export type PortAudioView = { knows: boolean } | { error: string };

/** The decision alone (no loading, no logging): what `chooseBackend` and `satellite devices` say. */
export function decideBackend(choice: BackendChoice, direction: 'input' | 'output', pa: PortAudioView, pace = false): BackendDecision {
  if (choice === 'alsa') return { backend: 'alsa', why: `PortAudio is not used: audio.backend is alsa` };
  // PortAudio drops audio instead of waiting, so a paced (clockless) device needs arecord.
  if (choice === 'auto' && pace && direction === 'input') {
    return { backend: 'alsa', why: 'PortAudio is not used: audio.mic.pace is on, which only arecord can do' };
  }
  if ('error' in pa) return { backend: 'alsa', why: `PortAudio is not used: ${pa.error}` };
  if (choice === 'naudiodon') return { backend: 'portaudio', why: 'arecord/aplay is not used: audio.backend is naudiodon' };
  if (pa.knows) return { backend: 'portaudio', why: 'arecord/aplay is not used: PortAudio knows this device, and audio.backend auto prefers it' };
  return { backend: 'alsa', why: 'PortAudio is not used: it has no device by this name (ALSA device strings such as plughw:… need arecord/aplay)' };
}

/** What PortAudio says about `device`, loading naudiodon on first use. */
export function portAudioView(device: string, direction: 'input' | 'output', alsaConfig: string | null): PortAudioView {
  const pa = portAudioBackend(alsaConfig);
  return pa instanceof PortAudioBackend ? { knows: pa.resolve(device, direction) !== undefined } : pa;
}

/** Undefined when arecord and aplay are on PATH, else what to install. */
export function alsaUtilsProblem(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v arecord && command -v aplay'], { stdio: 'ignore' }).status === 0;
  return found ? undefined : 'arecord/aplay not found: install the Debian package alsa-utils';
}

export function chooseBackend(
  choice: BackendChoice,
  device: string,
  direction: 'input' | 'output',
  options: { alsaConfig: string | null; pace?: boolean; log: Logger },
): AudioBackend {
  const { alsaConfig, log } = options;
  // naudiodon is only loaded when it could be chosen.
  const skipLoad = choice === 'alsa' || (choice === 'auto' && options.pace === true && direction === 'input');
  const view: PortAudioView = skipLoad ? { error: 'not loaded' } : portAudioView(device, direction, alsaConfig);
  const decision = decideBackend(choice, direction, view, options.pace ?? false);
  const what = direction === 'input' ? 'microphone' : 'speaker';
  const fields = { device, direction, backend: decision.backend, why: decision.why };
  const message = `audio backend for the ${what} "${device}": ${BACKEND_LABEL[decision.backend]}; ${decision.why}`;
  if (choice === 'naudiodon' && decision.backend === 'alsa') log.warn(fields, message);
  else log.info(fields, message);
  if (decision.backend === 'alsa') {
    const missing = alsaUtilsProblem();
    if (missing) log.warn({ device, direction }, missing);
    return new AlsaBackend(alsaConfig);
  }
  return portAudioBackend(alsaConfig) as PortAudioBackend;
}
