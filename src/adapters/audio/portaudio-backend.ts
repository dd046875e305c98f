/**
 * The PortAudio backend through naudiodon (an optional native package). Devices are PortAudio's
 * own names (see `satellite devices`); `default` is the host's default device.
 */
import { createRequire } from 'node:module';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { SatelliteError, errorMessage } from '../../util/errors.js';
import type { AudioBackend, CaptureHandle, CaptureHandlers, DeviceList, DeviceOptions, PlaybackHandle } from './audio-device.js';

/** The narrow part of naudiodon this backend uses. */
interface PortAudioDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
  hostAPIName: string;
}
interface IoOptions {
  channelCount: number;
  sampleFormat: number;
  sampleRate: number;
  deviceId: number;
  closeOnError: boolean;
}
interface IoControl {
  start(): void;
  quit(callback?: () => void): void;
}
interface Naudiodon {
  getDevices(): PortAudioDevice[];
  AudioIO(options: { inOptions: IoOptions }): Readable & IoControl;
  AudioIO(options: { outOptions: IoOptions }): Writable & IoControl;
}

/** naudiodon's sample format ids are bits per sample. */
const BITS_PER_BYTE = 8;
/** PortAudio's id for the host's default device. */
const DEFAULT_DEVICE_ID = -1;

/** Loads naudiodon, or returns why it cannot be used, in words a user can act on. */
export function loadPortAudio(): { module: Naudiodon } | { error: string } {
  try {
    return { module: createRequire(import.meta.url)('naudiodon') as Naudiodon };
  } catch (err) {
    return { error: explainPortAudioFailure(err) };
  }
}

/**
 * Why naudiodon did not load. It is an optional dependency that npm compiles at install time; when
 * the compile fails (no C++ compiler, make or python3), `npm ci` drops it and still exits 0.
 * naudiodon 2.3.6 links a PortAudio build it bundles for x86_64 and 32-bit ARM only, so on arm64
 * it cannot be built at all.
 */
export function explainPortAudioFailure(err: unknown, arch: string = process.arch): string {
  const message = errorMessage(err);
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'MODULE_NOT_FOUND' && /'naudiodon'/.test(message)) {
    if (arch === 'arm64') {
      return 'naudiodon is not installed: its bundled PortAudio exists for x86_64 and 32-bit ARM only, so npm leaves this optional package out on arm64';
    }
    return 'naudiodon is not installed: npm leaves this optional package out when it cannot compile it (install build-essential and python3, then run npm ci again)';
  }
  if (/Could not locate the bindings file/.test(message)) {
    return 'naudiodon is installed but was never compiled (install build-essential and python3, then run npm rebuild naudiodon)';
  }
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return 'naudiodon was compiled for another Node.js version (run npm rebuild naudiodon)';
  }
  return `naudiodon does not load: ${message.split('\n')[0]}`;
}

export class PortAudioBackend implements AudioBackend {
  readonly name = 'portaudio';

  constructor(private readonly pa: Naudiodon) {}

  /** PortAudio's id for a configured device name, or undefined when it has no such device. */
  resolve(device: string, direction: 'input' | 'output'): number | undefined {
    if (device === 'default') return DEFAULT_DEVICE_ID;
    const usable = this.pa.getDevices().filter((d) => (direction === 'input' ? d.maxInputChannels : d.maxOutputChannels) > 0);
    const found = usable.find((d) => d.name === device) ?? usable.find((d) => d.name.includes(`(${device})`));
    return found?.id;
  }

  #options(options: DeviceOptions, direction: 'input' | 'output'): IoOptions {
    const deviceId = this.resolve(options.device, direction);
    if (deviceId === undefined) {
      throw new SatelliteError('SAT_ERR_AUDIO_DEVICE', `PortAudio has no ${direction} device "${options.device}" (see \`satellite devices\`)`);
    }
    const { format } = options;
    return { channelCount: format.channels, sampleFormat: format.width * BITS_PER_BYTE, sampleRate: format.rate, deviceId, closeOnError: true };
  }

  async openCapture(options: DeviceOptions, handlers: CaptureHandlers): Promise<CaptureHandle> {
    const io = this.pa.AudioIO({ inOptions: this.#options(options, 'input') });
    let closing = false;
    io.on('data', (chunk: Buffer) => handlers.onData(chunk));
    io.once('error', (err: Error) => {
      if (!closing) handlers.onError(new SatelliteError('SAT_ERR_AUDIO_DEVICE', `PortAudio capture on "${options.device}": ${err.message}`, { cause: err }));
    });
    io.once('end', () => {
      if (!closing) handlers.onError(new SatelliteError('SAT_ERR_AUDIO_DEVICE', `PortAudio capture on "${options.device}" ended`));
    });
    io.start();
    return {
      // PortAudio drops audio when the reader pauses, so a clockless device cannot be paced here.
      pausable: false,
      pause: () => undefined,
      resume: () => undefined,
      close: async () => {
        closing = true;
        // naudiodon's abort() passes quit() a second argument it refuses; quit() stops capture just as well.
        await new Promise<void>((resolve) => io.quit(() => resolve()));
      },
    };
  }

  async openPlayback(options: DeviceOptions): Promise<PlaybackHandle> {
    const io = this.pa.AudioIO({ outOptions: this.#options(options, 'output') });
    let failure: Error | undefined;
    io.on('error', (err: Error) => {
      failure = err;
    });
    io.start();
    return {
      write: async (pcm) => {
        if (failure || io.writableEnded) return;
        if (!io.write(pcm)) await Promise.race([once(io, 'drain'), once(io, 'close')]);
      },
      finish: async () => {
        if (!failure) {
          const finished = once(io, 'finished');
          io.end();
          await Promise.race([finished, once(io, 'error')]).catch(() => undefined);
        }
        if (failure) throw new SatelliteError('SAT_ERR_AUDIO_DEVICE', `PortAudio playback on "${options.device}": ${failure.message}`, { cause: failure });
      },
      abort: () => io.quit(),
    };
  }

  async listDevices(): Promise<DeviceList> {
    const devices = this.pa.getDevices();
    const entry = (d: PortAudioDevice) => ({ id: d.name, description: `${d.hostAPIName}, ${d.defaultSampleRate} Hz` });
    return {
      backend: 'portaudio',
      inputs: devices.filter((d) => d.maxInputChannels > 0).map(entry),
      outputs: devices.filter((d) => d.maxOutputChannels > 0).map(entry),
    };
  }
}
