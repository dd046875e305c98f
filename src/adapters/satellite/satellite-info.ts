/**
 * The satellite endpoint's `info`: the `satellite` section (which makes HA treat the endpoint as
 * a satellite only), the local wake models (HA maps `detection.name` to their `phrase`), and the
 * mic and speaker formats.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import type { WakeModelInfo } from '../../engines/wake/wake.js';
import { buildInfo, type InfoParts } from '../../wyoming/info.js';
import type { InfoData } from '../../wyoming/info-schema.js';

export const SATELLITE_ATTRIBUTION = { name: 'speech-satellite', url: '' };

export interface SatelliteInfoParts {
  name: string;
  area: string | null;
  description: string;
  version: string;
  hasVad: boolean;
  wakeModels: readonly WakeModelInfo[];
  activeWakeWords: readonly string[];
  mic: PcmFormat;
  speaker: PcmFormat | null;
}

/** One wake program per backend, each listing its models. */
function wakePrograms(models: readonly WakeModelInfo[], version: string): NonNullable<InfoParts['wake']> {
  const byBackend = new Map<string, WakeModelInfo[]>();
  for (const model of models) byBackend.set(model.backend, [...(byBackend.get(model.backend) ?? []), model]);
  return [...byBackend].map(([backend, list]) => ({
    name: backend,
    description: `${backend} (local wake word detection)`,
    version,
    attribution: list[0]?.attribution ?? SATELLITE_ATTRIBUTION,
    models: list.map((m) => ({ name: m.name, description: m.description, languages: m.languages, version: m.version, attribution: m.attribution, phrase: m.phrase })),
  }));
}

export function satelliteInfo(parts: SatelliteInfoParts): InfoData {
  const { name, area, description, version } = parts;
  return buildInfo({
    satellite: {
      name,
      description,
      version,
      attribution: SATELLITE_ATTRIBUTION,
      area,
      hasVad: parts.hasVad,
      activeWakeWords: [...parts.activeWakeWords],
      maxActiveWakeWords: Math.max(1, parts.activeWakeWords.length),
      supportsTrigger: false,
    },
    wake: wakePrograms(parts.wakeModels, version),
    mic: [{ name: 'microphone', description: 'satellite microphone', version, attribution: SATELLITE_ATTRIBUTION, format: parts.mic }],
    snd: parts.speaker ? [{ name: 'speaker', description: 'satellite speaker', version, attribution: SATELLITE_ATTRIBUTION, format: parts.speaker }] : [],
  });
}
