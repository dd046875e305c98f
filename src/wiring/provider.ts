/** The Wyoming provider endpoint: the asr, tts and wake services on one TCP port. */
import { createAsrService } from '../adapters/wyoming/provider-asr.js';
import { createTtsService } from '../adapters/wyoming/provider-tts.js';
import { createWakeService } from '../adapters/wyoming/provider-wake.js';
import { buildProviderInfo } from '../adapters/wyoming/provider-info.js';
import { createProviderHandler, type ProviderService } from '../adapters/wyoming/wyoming-provider.js';
import type { SpeechService } from '../core/speech/speech-service.js';
import type { Config } from '../config/schema.js';
import type { InfoData } from '../wyoming/info-schema.js';
import { WyomingServer } from '../adapters/wyoming/wyoming-server.js';
import { moduleLogger } from '../util/logger.js';
import { VERSION } from '../version.js';
import type { DaemonContext } from './daemon-context.js';

export async function startProvider(context: DaemonContext): Promise<void> {
  const { config, speech, bus } = context;
  if (!config.provider.enabled) return;
  const log = moduleLogger('provider', context.log);
  const services: ProviderService[] = [];
  if (config.stt.enabled) {
    services.push(
      createAsrService({
        speech,
        settings: { streamingEvents: config.stt.streaming_events, endpointOnSilence: config.stt.endpoint_on_silence },
        bus,
        log: moduleLogger('asr', context.log),
      }),
    );
  }
  if (config.tts.enabled) services.push(createTtsService({ speech, bus, log: moduleLogger('tts', context.log) }));
  if (config.wake.enabled) services.push(createWakeService({ speech, bus, log: moduleLogger('wake', context.log) }));
  const server = new WyomingServer({
    name: 'provider',
    host: config.provider.host,
    port: config.provider.port,
    maxConnections: config.provider.max_connections,
    maxConnectionsPerPeer: config.provider.max_connections_per_peer,
    frameTimeoutMs: config.provider.frame_timeout_s * 1000,
    idleTimeoutMs: config.provider.idle_timeout_s * 1000,
    limits: {
      maxHeaderBytes: config.provider.limits.max_header_bytes,
      maxDataBytes: config.provider.limits.max_data_bytes,
      maxPayloadBytes: config.provider.limits.max_payload_bytes,
    },
    info: () => providerInfo(config, speech),
    createHandler: (connection) => createProviderHandler(services, connection),
    log,
  });
  context.endpoints.provider = await server.listen();
  context.lifecycle.onStop('provider endpoint', () => server.close());
}

/** What `describe` answers: every enabled service under its fixed name, with installed and downloading models. */
function providerInfo(config: Readonly<Config>, speech: SpeechService): InfoData {
  const asr = speech.asrModels();
  return buildProviderInfo({
    version: VERSION,
    enabled: { asr: config.stt.enabled, tts: config.tts.enabled, wake: config.wake.enabled },
    asr: {
      installed: asr,
      pending: pendingListing(speech, 'asr'),
      supportsTranscriptStreaming: config.stt.streaming_events && asr.some((m) => m.streaming),
      ...(config.stt.endpoint_on_silence && speech.vad ? { requiresExternalVad: false } : {}),
    },
    tts: { installed: speech.voices().map((v) => v.voice), pending: pendingListing(speech, 'tts').map((v) => ({ ...v, speakers: null })), supportsSynthesizeStreaming: true },
    wake: { installed: speech.wakeModels(), pending: pendingListing(speech, 'wake').map((m) => ({ ...m, phrase: m.phrase ?? m.name })) },
  });
}

const PENDING_ATTRIBUTION = { name: 'speech-satellite', url: 'https://github.com/speech-satellite/speech-satellite' };

function pendingListing(speech: SpeechService, kind: 'asr' | 'tts' | 'wake') {
  return speech.pending(kind).map((m) => ({ ...m, attribution: PENDING_ATTRIBUTION }));
}
