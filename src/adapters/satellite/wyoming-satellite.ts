/**
 * The Wyoming voice satellite: its own endpoint (default port 10700) and `info`, the link to Home
 * Assistant, the microphone and speaker, the local listeners and the runtime that runs the
 * reducer. The audio backend and the engines are handed in by the wiring.
 */
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../config/schema.js';
import type { CoreBus } from '../../core/bus.js';
import type { SpeechService } from '../../core/speech/speech-service.js';
import { initialState, type Input, type SatelliteSettings } from '../../core/satellite/state.js';
import type { LocalSpeech } from '../../core/satellite/local-speech.js';
import type { PcmFormat } from '../../audio/pcm.js';
import type { Logger } from '../../util/logger.js';
import type { AudioBackend } from '../audio/audio-device.js';
import { describeStatus } from '../audio/backoff.js';
import { Microphone, MIC_OUTPUT_FORMAT } from '../audio/microphone.js';
import { Speaker } from '../audio/speaker.js';
import { TranscriptPartials } from '../../core/transcript-partials.js';
import { SatelliteDiagnostics } from './satellite-diagnostics.js';
import { SatelliteController } from './satellite-controller.js';
import { DeviceHealth, satelliteInfo, satelliteName, type SatelliteInfoParts } from './satellite-info.js';
import { SatelliteLink } from './satellite-link.js';
import { PreRollBuffer, VadListener, WakeListener } from './satellite-listeners.js';
import { SatelliteRuntime } from './satellite-runtime.js';
import { loadSounds } from './satellite-sounds.js';
import { SatelliteStateFile } from './satellite-state-file.js';
import { WyomingServer } from '../wyoming/wyoming-server.js';

/** Always-streaming mode: pause before asking HA for a new run after a pipeline error. */
export const ALWAYS_RESTART_DELAY_MS = 1_000;

export interface SatelliteOptions {
  config: Readonly<Config>;
  /** Backends for the microphone and the speaker (they may differ). */
  micBackend: AudioBackend;
  speakerBackend: AudioBackend;
  speech: SpeechService;
  bus: CoreBus;
  version: string;
  log: Logger;
}

export function satelliteSettings(config: Readonly<Config>): SatelliteSettings {
  const s = config.satellite;
  return {
    mode: s.mode,
    hasSpeaker: config.audio.speaker.device !== null,
    refractoryMs: s.wake_refractory_s * 1000,
    awakeMuteMs: s.awake_mute_s * 1000,
    vadWakeTimeoutMs: s.vad.wake_timeout_s * 1000,
    maxStreamMs: s.max_stream_s * 1000,
    responseTimeoutMs: s.response_timeout_s * 1000,
    restartDelayMs: ALWAYS_RESTART_DELAY_MS,
    timerRepeat: s.sounds.timer_repeat,
    timerRepeatDelayMs: s.sounds.timer_repeat_delay_s * 1000,
  };
}

export class WyomingSatellite {
  readonly control: SatelliteController;
  readonly #server: WyomingServer;
  readonly #link: SatelliteLink;
  readonly #runtime: SatelliteRuntime;
  readonly #mic: Microphone;
  readonly #wake: WakeListener | null;
  readonly #vad: VadListener | null;

  private constructor(parts: {
    server: WyomingServer;
    link: SatelliteLink;
    runtime: SatelliteRuntime;
    mic: Microphone;
    wake: WakeListener | null;
    vad: VadListener | null;
    control: SatelliteController;
  }) {
    this.#server = parts.server;
    this.#link = parts.link;
    this.#runtime = parts.runtime;
    this.#mic = parts.mic;
    this.#wake = parts.wake;
    this.#vad = parts.vad;
    this.control = parts.control;
  }

  static async start(options: SatelliteOptions): Promise<{ satellite: WyomingSatellite; address: AddressInfo }> {
    const { config, speech, bus, log } = options;
    const sc = config.satellite;
    const stateDir = config.state_dir ?? os.tmpdir();
    const stateFile = new SatelliteStateFile(stateDir, log);
    const saved = stateFile.load();
    const { mic, speaker } = createDevices(options, saved.volume);
    const partials = new TranscriptPartials(bus, 'satellite');
    const diagnostics = new SatelliteDiagnostics(bus);
    let runtime: SatelliteRuntime; // the listeners and the link call into the runtime, which needs them first
    const { wake, vad } = await createListeners(config, speech, saved.wake_words, (input) => runtime.dispatch(input), diagnostics, log);
    const link = new SatelliteLink(
      {
        onConnected: () => {
          bus.emit('ha-connection', { connected: true });
          runtime.dispatch({ type: 'ha-connected' });
        },
        onDisconnected: () => {
          bus.emit('ha-connection', { connected: false });
          runtime.dispatch({ type: 'ha-disconnected' });
        },
        onEvent: (event) => {
          // For the live view: HA's partial transcripts and the text of its reply.
          partials.observe(event);
          if (event.type === 'synthesize') bus.emit('speech-reply', { text: event.data.text, voice: event.data.voice?.name ?? null, source: 'satellite', at: new Date() });
          runtime.dispatch({ type: 'ha-event', event, at: performance.now() });
        },
      },
      log,
    );
    runtime = new SatelliteRuntime({
      initial: initialState(satelliteSettings(config)),
      send: (type, data, payload) => link.send(type, data, payload),
      speaker,
      localSpeech: localSpeechFrom(config, speech),
      sounds: loadSounds(sc.sounds, stateDir),
      wake,
      vad,
      preRoll: new PreRollBuffer(Math.round(sc.vad.pre_roll_s * MIC_OUTPUT_FORMAT.rate) * MIC_OUTPUT_FORMAT.width),
      bus,
      phraseOf: (name) => speech.wakeModels().find((m) => m.name === name)?.phrase ?? name,
      log,
    });
    if (saved.muted) runtime.dispatch({ type: 'set-muted', muted: true });
    const health = connectDevices(runtime, mic, speaker, diagnostics);

    const server = createEndpoint(options, link, () => ({
      wakeModels: speech.wakeModels(),
      activeWakeWords: wake?.words ?? [],
      mic: { format: MIC_OUTPUT_FORMAT, problem: health.mic.problem },
      speaker: speaker ? { format: speaker.format, problem: health.speaker.problem } : null,
    }));
    const address = await server.listen();
    mic.start();
    const control = new SatelliteController({
      runtime,
      speaker,
      wake,
      wakeModels: () => speech.wakeModels(),
      stateFile,
      initialVolume: saved.volume ?? config.audio.speaker.volume,
      log,
    });
    return { satellite: new WyomingSatellite({ server, link, runtime, mic, wake, vad, control }), address };
  }

  async stop(): Promise<void> {
    this.#link.stop();
    await this.#server.close();
    this.#runtime.stop();
    await this.#mic.stop();
    this.#wake?.close();
    this.#vad?.close();
  }
}

function createDevices(options: SatelliteOptions, savedVolume: number | undefined): { mic: Microphone; speaker: Speaker | null } {
  const { audio } = options.config;
  const { log } = options;
  const reopen = { reopenInitialMs: audio.reopen_initial_s * 1000, reopenMaxMs: audio.reopen_max_s * 1000 };
  const speaker = audio.speaker.device
    ? new Speaker({
        backend: options.speakerBackend,
        device: audio.speaker.device,
        format: { rate: audio.speaker.rate, width: audio.speaker.width, channels: audio.speaker.channels },
        volume: savedVolume ?? audio.speaker.volume,
        ...reopen,
        log,
      })
    : null;
  const mic = new Microphone({
    backend: options.micBackend,
    device: audio.mic.device,
    format: { rate: audio.mic.rate, width: audio.mic.width, channels: audio.mic.channels },
    samplesPerChunk: audio.mic.samples_per_chunk,
    gain: audio.mic.gain,
    pace: audio.mic.pace,
    ...reopen,
    log,
  });
  return { mic, speaker };
}

/** Audio for local announcements (`speak`): the satellite's voice, else the daemon's default, with Wyoming's cleanup and cache. */
function localSpeechFrom(config: Readonly<Config>, speech: SpeechService): LocalSpeech {
  return async (text, signal, write) => {
    let format: PcmFormat = { rate: 0, width: 2, channels: 1 };
    await speech.speak(
      text,
      { start: async (f) => void (format = f), chunk: async (pcm) => write(pcm, format), stop: async () => undefined },
      { voice: { name: config.satellite.tts_voice }, signal },
    );
  };
}

/** Mic audio goes where the state says; device trouble shows in the state, in `info`, and ends a stream. */
function connectDevices(
  runtime: SatelliteRuntime,
  mic: Microphone,
  speaker: Speaker | null,
  diagnostics: SatelliteDiagnostics,
): { mic: DeviceHealth; speaker: DeviceHealth } {
  const health = { mic: new DeviceHealth(), speaker: new DeviceHealth() };
  const detail = () => [describeStatus('microphone', mic.status), speaker && describeStatus('speaker', speaker.status)].filter(Boolean).join('; ') || undefined;
  mic.onChunk = (pcm) => {
    diagnostics.micChunk(pcm);
    runtime.onMicChunk(pcm);
  };
  mic.onStatus = (status) => {
    health.mic.update(status);
    runtime.setDeviceDetail(detail());
    if (status.state === 'failed') runtime.dispatch({ type: 'mic-lost' });
  };
  if (speaker) {
    speaker.onStatus = (status) => {
      health.speaker.update(status);
      runtime.setDeviceDetail(detail());
    };
  }
  return health;
}

/** The wake listener (local-wake mode) or the VAD listener (VAD mode). */
async function createListeners(
  config: Readonly<Config>,
  speech: SpeechService,
  savedWords: string[] | undefined,
  dispatch: (input: Input) => void,
  diagnostics: SatelliteDiagnostics,
  log: Logger,
): Promise<{ wake: WakeListener | null; vad: VadListener | null }> {
  const sc = config.satellite;
  if (sc.mode === 'local-wake') {
    const onDetection = (name: string) => dispatch({ type: 'wake-detected', name, at: performance.now() });
    const wake = new WakeListener(speech, onDetection, log, undefined, (scores) => diagnostics.wakeScores(scores));
    await wake.listen(savedWords ?? sc.wake_words).catch((err: unknown) => log.error({ err }, 'local wake word detection is not available yet; it starts once a wake model is installed'));
    return { wake, vad: null };
  }
  if (sc.mode === 'vad') {
    return { wake: null, vad: new VadListener(speech, sc.vad.threshold ?? config.vad.threshold, () => dispatch({ type: 'speech-detected' }), log) };
  }
  return { wake: null, vad: null };
}

/** The satellite's own Wyoming endpoint: `info` built at each `describe`, one link handler per connection. */
function createEndpoint(
  options: SatelliteOptions,
  link: SatelliteLink,
  live: () => Pick<SatelliteInfoParts, 'wakeModels' | 'activeWakeWords' | 'mic' | 'speaker'>,
): WyomingServer {
  const { config, log } = options;
  const sc = config.satellite;
  const name = satelliteName(config);
  return new WyomingServer({
    name: 'satellite',
    host: sc.host,
    port: sc.port,
    maxConnections: sc.max_connections,
    frameTimeoutMs: config.provider.frame_timeout_s * 1000,
    idleTimeoutMs: 0, // the keep-alive decides when HA is gone
    limits: {
      maxHeaderBytes: config.provider.limits.max_header_bytes,
      maxDataBytes: config.provider.limits.max_data_bytes,
      maxPayloadBytes: config.provider.limits.max_payload_bytes,
    },
    info: () =>
      satelliteInfo({
        name,
        area: sc.area ?? config.area,
        description: sc.description,
        version: options.version,
        hasVad: sc.mode === 'vad',
        ...live(),
      }),
    createHandler: (connection) => link.handler(connection),
    log,
  });
}
