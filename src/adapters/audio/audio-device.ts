/**
 * What the satellite needs from an audio backend (arecord/aplay child processes, or PortAudio
 * through naudiodon): open a capture that delivers raw PCM, open a playback that takes raw PCM
 * and says when the device has really played it, and list devices.
 */
import type { PcmFormat } from '../../audio/pcm.js';

export interface DeviceOptions {
  /** ALSA device string (`plughw:CARD=…,DEV=0`, `default`) or a PortAudio device name. */
  device: string;
  format: PcmFormat;
}

export interface CaptureHandlers {
  /** Raw interleaved PCM in the opened format, in chunks of any size. */
  onData(pcm: Buffer): void;
  /** The device failed or went away; the capture is over. Called at most once. */
  onError(err: Error): void;
}

export interface CaptureHandle {
  /** Whether reading may be paused (only then can a clockless device be paced). */
  readonly pausable: boolean;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export interface PlaybackHandle {
  /** Queues PCM in the opened format; resolves when the device will take more. */
  write(pcm: Buffer): Promise<void>;
  /** No more audio: resolves once the device has played all of it (rejects if it failed). */
  finish(): Promise<void>;
  /** Stops at once, dropping what is queued. */
  abort(): void;
}

export interface DeviceEntry {
  /** What to put in `audio.mic.device` / `audio.speaker.device`. */
  id: string;
  description: string;
}

export interface DeviceList {
  backend: string;
  inputs: DeviceEntry[];
  outputs: DeviceEntry[];
}

export interface AudioBackend {
  readonly name: string;
  openCapture(options: DeviceOptions, handlers: CaptureHandlers): Promise<CaptureHandle>;
  openPlayback(options: DeviceOptions): Promise<PlaybackHandle>;
  listDevices(): Promise<DeviceList>;
}
