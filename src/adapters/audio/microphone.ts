/**
 * The satellite's microphone: keeps a capture open on the configured device, delivers 16 kHz
 * 16-bit mono chunks of a fixed size, and when the device fails or goes quiet reopens it with
 * backoff, reporting each change of status.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { AudioBackend, CaptureHandle } from './audio-device.js';
import { Backoff, type DeviceStatus } from './backoff.js';
import { ChunkClock } from './chunk-clock.js';
import { PcmConverter } from './pcm-convert.js';

/** What the microphone delivers, whatever the device gives. */
export const MIC_OUTPUT_FORMAT: PcmFormat = { rate: 16000, width: 2, channels: 1 };
/** A capture that delivers nothing for this long is treated as gone. */
export const MIC_STALL_MS = 5_000;

export interface MicrophoneOptions {
  backend: AudioBackend;
  device: string;
  /** What to ask of the device. */
  format: PcmFormat;
  samplesPerChunk: number;
  gain: number;
  /** Release chunks on a real-time clock (devices without one). */
  pace: boolean;
  reopenInitialMs: number;
  reopenMaxMs: number;
  log: Logger;
}

export class Microphone {
  /** 16 kHz 16-bit mono, `samplesPerChunk` samples each. */
  onChunk: (pcm: Buffer) => void = () => undefined;
  onStatus: (status: DeviceStatus) => void = () => undefined;

  readonly #options: MicrophoneOptions;
  readonly #backoff: Backoff;
  readonly #chunkBytes: number;
  #status: DeviceStatus = { state: 'stopped' };
  #handle: CaptureHandle | undefined;
  #generation = 0;
  #pending: Buffer = Buffer.alloc(0);
  #clock: ChunkClock | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stall: NodeJS.Timeout | undefined;

  constructor(options: MicrophoneOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.reopenInitialMs, options.reopenMaxMs);
    this.#chunkBytes = options.samplesPerChunk * MIC_OUTPUT_FORMAT.width;
  }

  get status(): DeviceStatus {
    return this.#status;
  }

  start(): void {
    if (this.#status.state !== 'stopped') return;
    void this.#open();
  }

  async stop(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#retry);
    this.#setStatus({ state: 'stopped' });
    await this.#release();
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    const { backend, device, format, gain, pace, log } = this.#options;
    this.#setStatus({ state: 'opening' });
    const converter = new PcmConverter(MIC_OUTPUT_FORMAT);
    this.#pending = Buffer.alloc(0);
    try {
      const handle = await backend.openCapture(
        { device, format },
        {
          onData: (raw) => {
            if (generation !== this.#generation) return;
            if (this.#status.state !== 'running') {
              this.#backoff.reset();
              this.#setStatus({ state: 'running' });
              log.info({ backend: backend.name, device, format }, 'microphone running');
            }
            this.#armStall(generation);
            this.#split(converter.push(raw, format, gain));
          },
          onError: (err) => {
            if (generation === this.#generation) void this.#fail(err);
          },
        },
      );
      if (generation !== this.#generation) {
        await handle.close();
        return;
      }
      this.#handle = handle;
      if (pace && !handle.pausable) log.warn({ backend: backend.name }, 'audio.mic.pace has no effect with this backend');
      this.#clock = pace && handle.pausable ? new ChunkClock(this.#chunkMs(), (c) => this.onChunk(c), handle) : undefined;
      this.#armStall(generation);
      log.debug({ backend: backend.name, device }, 'microphone opening');
    } catch (err) {
      if (generation === this.#generation) await this.#fail(err);
    }
  }

  #chunkMs(): number {
    return (this.#options.samplesPerChunk / MIC_OUTPUT_FORMAT.rate) * 1000;
  }

  #split(pcm: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, pcm]) : pcm;
    while (this.#pending.length >= this.#chunkBytes) {
      const chunk = Buffer.from(this.#pending.subarray(0, this.#chunkBytes));
      this.#pending = this.#pending.subarray(this.#chunkBytes);
      if (this.#clock) this.#clock.push(chunk);
      else this.onChunk(chunk);
    }
  }

  #armStall(generation: number): void {
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => {
      if (generation === this.#generation) void this.#fail(new Error(`no audio from "${this.#options.device}" for ${MIC_STALL_MS / 1000} s`));
    }, MIC_STALL_MS);
  }

  async #fail(err: unknown): Promise<void> {
    const generation = ++this.#generation;
    const retryInMs = this.#backoff.take();
    this.#options.log.warn({ err, device: this.#options.device, retryInMs }, 'microphone failed; reopening');
    this.#setStatus({ state: 'failed', error: errorMessage(err), retryInMs });
    await this.#release();
    if (generation !== this.#generation) return;
    this.#retry = setTimeout(() => {
      if (generation === this.#generation) void this.#open();
    }, retryInMs);
  }

  async #release(): Promise<void> {
    clearTimeout(this.#stall);
    this.#clock?.stop();
    this.#clock = undefined;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  #setStatus(status: DeviceStatus): void {
    this.#status = status;
    this.onStatus(status);
  }
}
