/**
 * ALSA devices without a sound card, for tests: a generated configuration whose capture device
 * reads a raw file (the `file` plugin's `infile`) and whose playback device appends what it is
 * given to another raw file. Passed to the daemon as `audio.alsa_config`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasCommand } from '../../helpers/system.js';

export interface FileDevices {
  dir: string;
  /** The ALSA configuration file (audio.alsa_config). */
  config: string;
  mic: string;
  speaker: string;
  micFile: string;
  speakerFile: string;
  /** What the speaker has been given so far. */
  played(): Buffer;
  /** Rewrites the configuration, e.g. to make a device appear or disappear. */
  rewrite(options: { withMic?: boolean; withSpeaker?: boolean }): void;
  cleanup(): void;
}

export function hasAlsaUtils(): boolean {
  return hasCommand('arecord') && hasCommand('aplay') && existsSync('/usr/share/alsa/alsa.conf');
}

/** `micPcm` is what the capture device delivers (raw, in the format the reader asks for), then silence. */
export function makeFileDevices(micPcm: Buffer, names = { mic: 'satmic', speaker: 'satspk' }): FileDevices {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-alsa-'));
  const micFile = path.join(dir, 'mic.raw');
  const speakerFile = path.join(dir, 'speaker.raw');
  const config = path.join(dir, 'asound.conf');
  writeFileSync(micFile, micPcm);
  const render = (withMic: boolean, withSpeaker: boolean) => {
    const parts: string[] = [];
    if (withMic) {
      // The null slave gives silence once the file is used up; the file's data replaces it.
      parts.push(`pcm.${names.mic} {
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "${micFile}"
  format "raw"
  hint { show on description "test microphone reading ${micFile}" }
}`);
    }
    if (withSpeaker) {
      // Each playback is appended, so the file holds everything played, in order.
      parts.push(`pcm.${names.speaker} {
  type file
  slave.pcm "null"
  file "|cat >> ${speakerFile}"
  format "raw"
  hint { show on description "test speaker writing ${speakerFile}" }
}`);
    }
    writeFileSync(config, `${parts.join('\n')}\n`);
  };
  render(true, true);
  return {
    dir,
    config,
    mic: names.mic,
    speaker: names.speaker,
    micFile,
    speakerFile,
    played: () => (existsSync(speakerFile) ? readFileSync(speakerFile) : Buffer.alloc(0)),
    rewrite: ({ withMic = true, withSpeaker = true }) => render(withMic, withSpeaker),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `seconds` of 16-bit silence at `rate`. */
export function silence(seconds: number, rate = 16000): Buffer {
  return Buffer.alloc(Math.round(seconds * rate) * 2);
}
