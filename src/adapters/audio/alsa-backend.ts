/**
 * The arecord/aplay backend: capture and playback as child processes on ALSA device strings such
 * as `plughw:CARD=seeed2micvoicec,DEV=0`. Works wherever alsa-utils is installed; the process
 * boundary also keeps a misbehaving driver away from the daemon.
 */
import type { ChildProcess } from 'node:child_process';
import type { AudioBackend, CaptureHandle, CaptureHandlers, DeviceList, DeviceOptions, PlaybackHandle } from './audio-device.js';
import { alsaEnv, alsaSampleFormat, deviceError, exited, spawnAlsa, StderrTail, stopChild } from './alsa-process.js';
import { listAlsaDevices } from './alsa-devices.js';

function formatArgs(options: DeviceOptions): string[] {
  const { device, format } = options;
  return ['-q', '-D', device, '-t', 'raw', '-f', alsaSampleFormat(format.width), '-r', String(format.rate), '-c', String(format.channels)];
}

export class AlsaBackend implements AudioBackend {
  readonly name = 'alsa';
  readonly #env: NodeJS.ProcessEnv;

  /** `extraConfig`: an ALSA configuration file read after the system one (e.g. test devices). */
  constructor(extraConfig: string | null = null) {
    this.#env = alsaEnv(extraConfig);
  }

  async openCapture(options: DeviceOptions, handlers: CaptureHandlers): Promise<CaptureHandle> {
    const child = spawnAlsa('arecord', formatArgs(options), this.#env, 'capture');
    return new AlsaCapture(child, options.device, handlers);
  }

  async openPlayback(options: DeviceOptions): Promise<PlaybackHandle> {
    const child = spawnAlsa('aplay', formatArgs(options), this.#env, 'playback');
    return new AlsaPlayback(child, options.device);
  }

  listDevices(): Promise<DeviceList> {
    return listAlsaDevices(this.#env);
  }
}

class AlsaCapture implements CaptureHandle {
  readonly pausable = true;
  readonly #child: ChildProcess;
  #closing = false;

  constructor(child: ChildProcess, device: string, handlers: CaptureHandlers) {
    this.#child = child;
    const stderr = new StderrTail();
    stderr.attach(child);
    let failed = false;
    const fail = (err: Error) => {
      if (failed || this.#closing) return;
      failed = true;
      handlers.onError(err);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!this.#closing) handlers.onData(chunk);
    });
    child.on('error', (err) => fail(deviceError('arecord', device, err.message, err)));
    child.on('close', (code, signal) => fail(deviceError('arecord', device, `stopped (${signal ?? `exit ${code}`}) ${stderr}`.trim())));
  }

  pause(): void {
    this.#child.stdout?.pause();
  }

  resume(): void {
    this.#child.stdout?.resume();
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#child.stdout?.resume(); // let it see the signal even when paced
    await stopChild(this.#child);
  }
}

class AlsaPlayback implements PlaybackHandle {
  readonly #child: ChildProcess;
  readonly #device: string;
  readonly #stderr = new StderrTail();
  readonly #exit: Promise<number | null>;
  #spawnError: Error | undefined;

  constructor(child: ChildProcess, device: string) {
    this.#child = child;
    this.#device = device;
    this.#stderr.attach(child);
    child.on('error', (err) => {
      this.#spawnError = err;
    });
    // A device that fails makes aplay exit; writes then fail with EPIPE, which finish() reports.
    child.stdin?.on('error', () => undefined);
    this.#exit = exited(child);
  }

  async write(pcm: Buffer): Promise<void> {
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed || this.#child.exitCode !== null) return;
    if (stdin.write(pcm)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
  }

  async finish(): Promise<void> {
    this.#child.stdin?.end();
    const code = await this.#exit;
    if (this.#spawnError) throw deviceError('aplay', this.#device, this.#spawnError.message, this.#spawnError);
    if (code !== 0) throw deviceError('aplay', this.#device, `failed (exit ${code}) ${this.#stderr}`.trim());
  }

  abort(): void {
    void stopChild(this.#child);
  }
}
