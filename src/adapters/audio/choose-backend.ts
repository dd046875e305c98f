/**
 * Picks the audio backend for a device: with `auto`, PortAudio (naudiodon) when the package loads
 * and knows the device by name, else arecord/aplay, which take any ALSA device string.
 */
import type { Logger } from '../../util/logger.js';
import type { AudioBackend } from './audio-device.js';
import { AlsaBackend } from './alsa-backend.js';
import { loadPortAudio, PortAudioBackend } from './portaudio-backend.js';
import { alsaEnv } from './alsa-process.js';

export type BackendChoice = 'auto' | 'naudiodon' | 'alsa';

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

export function chooseBackend(
  choice: BackendChoice,
  device: string,
  direction: 'input' | 'output',
  options: { alsaConfig: string | null; pace?: boolean; log: Logger },
): AudioBackend {
  const { alsaConfig, log } = options;
  if (choice === 'alsa') return new AlsaBackend(alsaConfig);
  // PortAudio drops audio instead of waiting, so a paced (clockless) device needs arecord.
  if (choice === 'auto' && options.pace && direction === 'input') return new AlsaBackend(alsaConfig);
  const pa = portAudioBackend(alsaConfig);
  if (pa instanceof PortAudioBackend) {
    if (choice === 'naudiodon' || pa.resolve(device, direction) !== undefined) {
      log.info({ device, direction }, 'using PortAudio (naudiodon)');
      return pa;
    }
    log.info({ device, direction }, 'PortAudio does not know this device; using arecord/aplay');
  } else if (choice === 'naudiodon') {
    log.warn({ error: pa.error }, 'naudiodon does not load; using arecord/aplay');
  }
  return new AlsaBackend(alsaConfig);
}
