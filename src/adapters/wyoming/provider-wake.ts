/**
 * The provider endpoint's `wake` service: lists every installed wake model under one wake
 * program in `info`, and runs one WakeDetector per connection that sends `detect`.
 */
import type { CoreBus } from '../../core/bus.js';
import { WakeDetector } from '../../core/wake-detector.js';
import { wakeCatalog, type WakeCatalogEntry } from '../../core/wake-names.js';
import type { WakeEngine } from '../../engines/wake/wake.js';
import type { InfoParts } from '../../wyoming/info.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';
import type { WyomingConnection } from './wyoming-connection.js';

export const WAKE_PROGRAM = {
  name: 'speech-satellite-wake',
  description: 'Local wake word detection (openWakeWord, sherpa-onnx keyword spotting)',
  attribution: { name: 'speech-satellite', url: 'https://github.com/speech-satellite/speech-satellite' },
};

export interface WakeServiceOptions {
  /** The live engine registry (the wiring adds and removes engines on rescans). */
  engines: ReadonlyMap<string, WakeEngine>;
  defaultModel: string | null;
  version: string;
  bus: CoreBus;
  log: Logger;
}

export function createWakeService(options: WakeServiceOptions): ProviderService {
  const catalog = (): WakeCatalogEntry[] => wakeCatalog(options.engines);
  return {
    name: 'wake',
    controlEvents: ['detect'],
    takesAudio: true,
    info(): InfoParts {
      const entries = catalog();
      if (entries.length === 0) return {};
      const models = entries.map(({ model }) => ({
        name: model.name,
        description: model.description,
        phrase: model.phrase,
        languages: model.languages,
        version: model.version,
        attribution: model.attribution,
      }));
      return { wake: [{ ...WAKE_PROGRAM, version: options.version, models }] };
    },
    open(connection: WyomingConnection): ServiceHandler {
      const log = connection.log.child({ service: 'wake' });
      const detector = new WakeDetector({
        catalog,
        defaultModel: options.defaultModel,
        sendDetection: (data) => connection.sendEvent('detection', data),
        sendNotDetected: () => connection.sendEvent('not-detected', {}),
        onDetected: ({ name, phrase }) => {
          log.info({ name }, 'wake word detected');
          options.bus.emit('wake-detected', { name, phrase, source: 'provider', at: new Date() });
        },
        onStreamEnd: ({ ok, ms, code, detections }) => {
          log.debug({ ok, ms, code, detections }, 'wake stream ended');
          options.bus.emit('provider-request', { service: 'wake', ok, ms, ...(code ? { code } : {}) });
        },
      });
      return {
        async onEvent(event: WyomingEvent) {
          switch (event.type) {
            case 'detect':
              await detector.detect(event);
              log.debug({ names: detector.listening }, 'detect');
              return;
            case 'audio-start':
              return detector.audioStart(event.data);
            case 'audio-chunk':
              return detector.audioChunk(event);
            case 'audio-stop':
              return detector.audioStop();
            default:
              return;
          }
        },
        close() {
          detector.close();
        },
        busy: () => detector.streaming,
      };
    },
  };
}
