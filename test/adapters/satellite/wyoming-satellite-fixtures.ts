/** Shared set-up of the satellite tests: the mic recording, the ALSA file devices, the daemon config, waiting. */
import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { readClip } from '../../helpers/clips.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { sharedModel } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices, silence, type FileDevices } from '../audio/alsa-file-devices.js';

const OWW = sharedModel('openwakeword');
const COMMAND = 'librispeech-1089-134691-0000.wav';
export const TTS_CLIP = 'piper-this-is-a-test.wav';

export function haveSatelliteParts(): boolean {
  return hasAlsaUtils() && existsSync(OWW) && existsSync(sharedModel('test-wavs', COMMAND));
}

/** silence, "alexa", a pause, the command, silence: what the mic hears. */
export function micRecording(): { pcm: Buffer; command: Buffer } {
  const command = readClip(COMMAND).pcm;
  return { pcm: Buffer.concat([silence(2), readClip('oww-alexa.wav').pcm, silence(1.5), command, silence(3)]), command };
}

export function satelliteConfig(devices: FileDevices, extra: { satellite?: object; audio?: object; speaker?: object } = {}): Record<string, unknown> {
  return {
    provider: { enabled: false },
    wake: { discover: false, openwakeword: [{ path: OWW }] },
    satellite: { enabled: true, host: '127.0.0.1', port: 0, wake_words: ['alexa'], name: 'Kitchen satellite', area: 'Kitchen', ...extra.satellite },
    audio: {
      backend: 'alsa',
      alsa_config: devices.config,
      mic: { device: devices.mic, pace: true },
      // 16 kHz, like the TTS clip, so its bytes reach the device unchanged and can be found there.
      speaker: { device: devices.speaker, rate: 16000, ...extra.speaker },
      ...extra.audio,
    },
  };
}


export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; throws naming `what` when it does not within `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/**
 * ALSA file devices (the mic delivers `micPcm`) for one `describe` block, and the daemon its test
 * starts on them; both are stopped and removed after the block.
 */
export function satelliteSuite(micPcm: Buffer, names?: { mic: string; speaker: string }): { devices: FileDevices; start(config: Record<string, unknown>): Promise<TestDaemon> } {
  const devices = makeFileDevices(micPcm, names);
  let daemon: TestDaemon | undefined;
  after(async () => {
    await daemon?.stop();
    devices.cleanup();
  });
  return {
    devices,
    start: async (config) => {
      daemon = await startTestDaemon(config);
      return daemon;
    },
  };
}
