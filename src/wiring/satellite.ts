/** Starts the voice satellite when `satellite.enabled` (its own endpoint, mic and speaker). */
import type { DaemonContext } from './daemon-context.js';
import { chooseBackend } from '../adapters/audio/choose-backend.js';
import { WyomingSatellite } from '../adapters/satellite/wyoming-satellite.js';
import { moduleLogger } from '../util/logger.js';

export async function startSatellite(context: DaemonContext): Promise<void> {
  const { config } = context;
  if (!config.satellite.enabled) return;
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
    engines: context.engines,
    bus: context.bus,
    version: context.version,
    log,
  });
  context.endpoints.satellite = address;
  context.satellite = satellite.control;
  context.lifecycle.onStop('satellite', async () => {
    context.satellite = undefined;
    await satellite.stop();
  });
}
