/** Shared set-up of the satellite tests: the mic recording, the ALSA file devices, the daemon config, waiting. */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

/** Copies stdin to stdout at most argv[2] bytes a second: a sound card's clock for a file device. */
const PACER_SOURCE = `const rate = Number(process.argv[2]);
const start = Date.now();
let sent = 0;
process.stdin.on('data', (chunk) => {
  process.stdin.pause();
  sent += chunk.length;
  process.stdout.write(chunk, () => setTimeout(() => process.stdin.resume(), Math.max(0, start + (sent / rate) * 1000 - Date.now())));
});
`;

/**
 * Adds to `devices` a playback device that takes audio in real time (`bytesPerSecond`) instead
 * of all at once, appending to the same speaker file: playback lasts as long as the audio, as on
 * a sound card (aplay waits for the pacer before it exits). Returns the device name.
 */
export function addPacedSpeaker(devices: FileDevices, bytesPerSecond: number): string {
  const pacer = path.join(devices.dir, 'pacer.mjs');
  writeFileSync(pacer, PACER_SOURCE);
  const name = `${devices.speaker}paced`;
  appendFileSync(
    devices.config,
    `pcm.${name} {\n  type file\n  slave.pcm "null"\n  file "|${process.execPath} ${pacer} ${bytesPerSecond} >> ${devices.speakerFile}"\n  format "raw"\n}\n`,
  );
  return name;
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

/** Says `pcm` into the mic: the capture device reads on past the end of its file, so appended audio is heard within the capture's buffering (a couple of seconds). */
export function sayIntoMic(devices: FileDevices, pcm: Buffer): void {
  appendFileSync(devices.micFile, pcm);
}
