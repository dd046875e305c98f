/**
 * The provider endpoint's per-connection handler: routes events to the speech services (asr, tts,
 * wake). A control event (`transcribe`, `detect`, `synthesize…`) opens that service's handler for
 * the connection and makes it the owner of following audio; audio with no owner goes to the
 * service marked `defaultAudio` (asr), like the reference servers. Unknown events are ignored.
 */
import type { Frame } from '../../wyoming/frame.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import type { ConnectionHandler } from './wyoming-server.js';
import type { WyomingConnection } from './wyoming-connection.js';

const AUDIO_EVENTS = new Set(['audio-start', 'audio-chunk', 'audio-stop']);

/** Per-connection state of one service. */
export interface ServiceHandler {
  onEvent(event: WyomingEvent): Promise<void> | void;
  close(): void;
  /** A request of this service is in flight on the connection (shutdown waits for it briefly). */
  busy?(): boolean;
}

export interface ProviderService {
  readonly name: string;
  /** Event types that select this service. */
  readonly controlEvents: readonly string[];
  /** Whether audio events go to this service once it is selected. */
  readonly takesAudio: boolean;
  /** Audio arriving with no selected service goes here. */
  readonly defaultAudio?: boolean;
  open(connection: WyomingConnection): ServiceHandler;
}

export function createProviderHandler(services: readonly ProviderService[], connection: WyomingConnection): ConnectionHandler {
  const open = new Map<ProviderService, ServiceHandler>();
  let audioOwner: ProviderService | undefined;

  const handlerFor = (service: ProviderService): ServiceHandler => {
    let handler = open.get(service);
    if (!handler) {
      handler = service.open(connection);
      open.set(service, handler);
    }
    return handler;
  };

  return {
    async onEvent(event: WyomingEvent | undefined, _frame: Frame) {
      if (!event) return; // unknown type: ignored, never a reason to close
      if (AUDIO_EVENTS.has(event.type)) {
        const owner = audioOwner ?? services.find((s) => s.defaultAudio);
        if (owner) await handlerFor(owner).onEvent(event);
        return;
      }
      const service = services.find((s) => s.controlEvents.includes(event.type));
      if (!service) return;
      if (service.takesAudio) audioOwner = service;
      await handlerFor(service).onEvent(event);
    },
    onClose() {
      for (const handler of open.values()) handler.close();
      open.clear();
    },
    busy: () => [...open.values()].some((handler) => handler.busy?.() ?? false),
  };
}
