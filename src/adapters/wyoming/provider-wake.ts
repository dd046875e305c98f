/**
 * The provider endpoint's `wake` service: one WakeDetector per connection that sends `detect`,
 * listening through the speech service (so a stream follows rescans).
 */
import type { CoreBus } from '../../core/bus.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import { WakeDetector } from '../../core/speech/wake-detector.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';
import type { WyomingConnection } from './wyoming-connection.js';

export interface WakeServiceOptions {
  speech: SpeechService;
  bus: CoreBus;
  log: Logger;
}

export function createWakeService(options: WakeServiceOptions): ProviderService {
  return {
    name: 'wake',
    controlEvents: ['detect'],
    takesAudio: true,
    open(connection: WyomingConnection): ServiceHandler {
      const log = connection.log.child({ service: 'wake' });
      const detector = new WakeDetector({
        source: options.speech,
        log,
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
