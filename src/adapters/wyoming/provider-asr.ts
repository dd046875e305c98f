/**
 * The provider endpoint's `asr` service (Home Assistant's STT flow, wyoming-protocol.md §4.2):
 * `transcribe {name?, language?}` picks the model, `audio-start` / `audio-chunk` / `audio-stop`
 * carry the speech, `transcript {text, language}` answers. Streaming models also send
 * `transcript-start` / `transcript-chunk` while audio arrives and `transcript-stop` after the full
 * transcript. Failures become `error {text, code}`; the connection stays usable.
 */
import type { CoreBus } from '../../core/bus.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import { SttConversation, type SttReport } from '../../core/speech/stt-conversation.js';
import { TranscriptPartials } from '../../core/transcript-partials.js';
import { onAbort } from '../../util/abort.js';
import type { Logger } from '../../util/logger.js';
import type { WyomingEvent } from '../../wyoming/events.js';
import type { WyomingConnection } from './wyoming-connection.js';
import type { ProviderService, ServiceHandler } from './wyoming-provider.js';

export interface AsrServiceSettings {
  streamingEvents: boolean;
  endpointOnSilence: boolean;
}

export interface AsrServiceDeps {
  speech: SpeechService;
  settings: AsrServiceSettings;
  bus: CoreBus;
  log: Logger;
}

export function createAsrService(deps: AsrServiceDeps): ProviderService {
  return {
    name: 'asr',
    controlEvents: ['transcribe'],
    takesAudio: true,
    defaultAudio: true,
    open: (connection) => openAsr(deps, connection),
  };
}

/** One connection: its events drive an {@link SttConversation}, whose answers go back as events. */
function openAsr(deps: AsrServiceDeps, connection: WyomingConnection): ServiceHandler {
  const partials = new TranscriptPartials(deps.bus, 'provider', 'wyoming');
  const conversation = new SttConversation({
    speech: deps.speech,
    streamingEvents: deps.settings.streamingEvents,
    endpointOnSilence: deps.settings.endpointOnSilence,
    signal: connection.signal,
    output: {
      transcriptStart: (language) => (partials.start(), connection.sendEvent('transcript-start', language ? { language } : {})),
      transcriptChunk: (text) => (partials.add(text), connection.sendEvent('transcript-chunk', { text })),
      transcript: (text, language) => connection.sendEvent('transcript', { text, ...(language ? { language } : {}) }),
      transcriptStop: () => connection.sendEvent('transcript-stop', {}),
      error: (text, code) => connection.sendError(text, code),
    },
    onReport: (report) => record(deps, connection, report),
  });
  onAbort(connection.signal, () => conversation.close());
  return {
    async onEvent(event: WyomingEvent) {
      switch (event.type) {
        case 'transcribe':
          return conversation.transcribe({ name: event.data.name, language: event.data.language, vadSensitivity: event.data.vad_sensitivity });
        case 'audio-start':
          return conversation.audioStart(event.data);
        case 'audio-chunk':
          return conversation.audioChunk(event.data, event.payload ?? Buffer.alloc(0));
        case 'audio-stop':
          return conversation.audioStop();
        default:
          return;
      }
    },
    close: () => conversation.close(),
    busy: () => conversation.busy,
  };
}

function record(deps: AsrServiceDeps, connection: WyomingConnection, report: SttReport): void {
  deps.bus.emit('provider-request', { service: 'asr', ok: report.ok, ms: report.ms, ...(report.code ? { code: report.code } : {}) });
  if (report.ok) {
    deps.bus.emit('transcript', { text: report.text ?? '', language: report.language ?? null, source: 'provider', via: 'wyoming', at: new Date() });
    connection.log.debug({ model: report.model, ms: Math.round(report.ms), audioSeconds: report.audioSeconds }, 'transcribed');
  } else {
    connection.warnOnce(`asr:${report.code}`, { code: report.code, model: report.model }, 'transcription failed');
  }
}
