/**
 * Builds the speech service from the config and connects every trigger of its one rescan: the
 * in-process installer (`models-changed` on the bus), the watcher on models_dir (installs by the
 * CLI, a second process, a folder copied in), SIGHUP, and MQTT's rescan command (`rescan()` here).
 * Each change of the installed set goes out on the bus as `speech-changed`.
 */
import type { Config } from '../config/schema.js';
import type { CoreBus } from '../core/bus.js';
import { SpeechService, type SpeechSettings } from '../core/speech/speech-service.js';
import { TtsCache } from '../core/speech/tts-cache.js';
import { ModelsWatcher } from '../models/models-watcher.js';
import { errorMessage } from '../util/errors.js';
import type { Lifecycle } from '../util/lifecycle.js';
import { moduleLogger, type Logger } from '../util/logger.js';
import { engineDiscovery } from './engine-specs.js';

const BYTES_PER_MB = 1024 * 1024;
const BUS_OWNER = 'speech';

export function speechSettings(config: Readonly<Config>): SpeechSettings {
  const cache = config.tts.cache;
  return {
    stt: {
      defaultModel: config.stt.default_model,
      maxUtteranceSeconds: config.stt.max_utterance_s,
      trimSilence: config.stt.trim_silence,
      vad: { threshold: config.vad.threshold, minSilenceSeconds: config.vad.min_silence_s, minSpeechSeconds: config.vad.min_speech_s },
    },
    tts: {
      defaultVoice: config.tts.default_voice,
      maxTextChars: config.tts.max_text_chars,
      speed: config.tts.speed,
      samplesPerChunk: config.tts.samples_per_chunk,
      cache: cache.max_entries > 0 ? new TtsCache({ maxEntries: cache.max_entries, maxBytes: cache.max_mb * BYTES_PER_MB }) : undefined,
    },
    wake: { defaultModel: config.wake.default_model },
  };
}

/** A speech service for one-shot use (the CLI): scanned once, no watchers. Close it when done. */
export async function oneShotSpeech(config: Readonly<Config>, log: Logger): Promise<SpeechService> {
  const speech = new SpeechService({ discover: engineDiscovery(config, log), settings: speechSettings(config), log });
  await speech.start();
  return speech;
}

export interface SpeechParts {
  config: Readonly<Config>;
  bus: CoreBus;
  lifecycle: Lifecycle;
  log: Logger;
  /** Preloads start once this resolves (after the endpoints serve). */
  preloadAfter?: Promise<unknown>;
}

/** The daemon's speech service: scanned once now, then rescanned whenever models change. */
export async function startSpeech(parts: SpeechParts): Promise<SpeechService> {
  const log = moduleLogger('speech', parts.log);
  const speech = new SpeechService({
    discover: engineDiscovery(parts.config, log),
    settings: speechSettings(parts.config),
    log,
    ...(parts.preloadAfter ? { preloadAfter: parts.preloadAfter } : {}),
  });
  speech.onChange((change) => parts.bus.emit('speech-changed', change));
  // Watching starts before the first scan, so nothing installed in between is missed.
  const watcher = new ModelsWatcher({
    modelsDir: parts.config.models_dir!,
    log: moduleLogger('models-watcher', parts.log),
    onChange: () => speech.rescan('models_dir changed'),
  });
  await watcher.start();
  await speech.start();
  const rescan = (reason: string) => void speech.rescan(reason).catch((err: unknown) => log.error({ reason: errorMessage(err) }, 'model rescan failed'));
  parts.bus.on('models-changed', BUS_OWNER, ({ kind }) => rescan(`${kind} model installed`));
  const onHangup = () => {
    log.info('SIGHUP: rescanning models');
    rescan('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  parts.lifecycle.onStop('speech', async () => {
    watcher.stop();
    process.off('SIGHUP', onHangup);
    parts.bus.removeOwner(BUS_OWNER);
    await speech.close();
  });
  return speech;
}
