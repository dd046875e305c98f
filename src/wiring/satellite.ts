/** Starts the voice satellite when `satellite.enabled` (its own endpoint, mic and speaker). */
import type { SatelliteControl } from '../core/satellite-control.js';
import { VERSION } from '../version.js';
import type { DaemonContext } from './daemon-context.js';
import { chooseBackend } from '../adapters/audio/choose-backend.js';
import { WyomingSatellite } from '../adapters/satellite/wyoming-satellite.js';
import { moduleLogger } from '../util/logger.js';

export async function startSatellite(context: DaemonContext): Promise<SatelliteControl | undefined> {
  const { config } = context;
  if (!config.satellite.enabled) return undefined;
  const log = moduleLogger('satellite', context.log);
  const { audio } = config;
  const micBackend = chooseBackend(audio.backend, audio.mic.device, 'input', { alsaConfig: audio.alsa_config, pace: audio.mic.pace, log });
  const speakerBackend = audio.speaker.device
    ? chooseBackend(audio.backend, audio.speaker.device, 'output', { alsaConfig: audio.alsa_config, log })
    : micBackend;
  const { satellite, address } = await WyomingSatellite.start({
    config,
    micBackend,
    speakerBackend,
    speech: context.speech,
    bus: context.bus,
    version: VERSION,
    log,
  });
  context.endpoints.satellite = address;
  context.lifecycle.onStop('satellite', () => satellite.stop());
  return satellite.control;
}
