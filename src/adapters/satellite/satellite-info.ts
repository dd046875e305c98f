/**
 * The satellite endpoint's `info`: the `satellite` section (which makes HA treat the endpoint as
 * a satellite only), the local wake models (HA maps `detection.name` to their `phrase`), and the
 * mic and speaker with their formats.
 *
 * The mic and speaker say honestly whether they can be used now: a device that is missing or
 * failing is listed with `installed: false` and the reason in its description, and flips back once
 * it works. This is safe for Home Assistant: its satellite entity reads only `info.wake` from the
 * satellite's info (assist_satellite.py, to resolve a detection's phrase), and its config entry
 * looks only at `satellite.installed` (data.py), which stays true: the satellite still answers,
 * and HA's pipeline, timers and announcements resume once the device is back.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import { wakeBackendLabel, type WakeModelInfo } from '../../engines/wake/wake.js';
import { buildInfo, type InfoParts } from '../../wyoming/info.js';
import type { InfoData } from '../../wyoming/info-schema.js';
import type { DeviceStatus } from '../audio/backoff.js';
import { displayName } from '../mdns/mdns-identity.js';

export const SATELLITE_ATTRIBUTION = { name: 'speech-satellite', url: '' };

/**
 * The satellite's name in Home Assistant (its device name and its config entry's title):
 * `satellite.name` when set, else the daemon's one display name, which the mDNS instances and the
 * MQTT device carry too (mdns-identity.ts `displayName`).
 */
export function satelliteName(config: { name: string | null; satellite: { name: string | null } }): string {
  return config.satellite.name ?? displayName(config.name);
}

/** A sound device as the satellite sees it now. */
export interface DeviceListing {
  format: PcmFormat;
  /** Why it cannot be used (its last failure, until it runs again); null = usable. */
  problem: string | null;
}

/**
 * Follows a device's status changes for `info`: a failure stands until the device runs again, so
 * the reopening attempts in between (`opening`) do not make a missing device look present; a
 * device that has not failed (not opened yet, opening at start) counts as usable.
 */
export class DeviceHealth {
  #problem: string | null = null;

  update(status: DeviceStatus): void {
    if (status.state === 'failed') this.#problem = status.error;
    else if (status.state === 'running') this.#problem = null;
  }

  get problem(): string | null {
    return this.#problem;
  }
}

export interface SatelliteInfoParts {
  name: string;
  area: string | null;
  description: string;
  version: string;
  hasVad: boolean;
  wakeModels: readonly WakeModelInfo[];
  activeWakeWords: readonly string[];
  mic: DeviceListing;
  speaker: DeviceListing | null;
}

/** One wake program per backend, each listing its models (a model without a version of its own carries the daemon's). */
function wakePrograms(models: readonly WakeModelInfo[], version: string): NonNullable<InfoParts['wake']> {
  const byBackend = new Map<string, WakeModelInfo[]>();
  for (const model of models) byBackend.set(model.backend, [...(byBackend.get(model.backend) ?? []), model]);
  return [...byBackend].map(([backend, list]) => ({
    name: backend,
    description: `${wakeBackendLabel(backend)} (local wake word detection)`,
    version,
    attribution: list[0]?.attribution ?? SATELLITE_ATTRIBUTION,
    models: list.map((m) => ({
      name: m.name,
      description: m.description,
      languages: m.languages,
      version: m.version ?? version,
      attribution: m.attribution,
      phrase: m.phrase,
    })),
  }));
}

/** `installed` and the description of a device: not installed while it has a problem, which the description gives. */
export function deviceArtifact(what: string, device: DeviceListing): { installed: boolean; description: string } {
  if (device.problem === null) return { installed: true, description: `satellite ${what}` };
  return { installed: false, description: `satellite ${what}: unavailable (${device.problem})` };
}

export function satelliteInfo(parts: SatelliteInfoParts): InfoData {
  const { name, area, description, version } = parts;
  const device = (what: 'microphone' | 'speaker', listing: DeviceListing) => ({
    name: what,
    ...deviceArtifact(what, listing),
    version,
    attribution: SATELLITE_ATTRIBUTION,
    format: listing.format,
  });
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
    mic: [device('microphone', parts.mic)],
    snd: parts.speaker ? [device('speaker', parts.speaker)] : [],
  });
}
