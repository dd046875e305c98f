/** Shared pieces of the arecord/aplay backend: environment, sample-format names, child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { SatelliteError } from '../../util/errors.js';

/** Where Debian keeps ALSA's own configuration, read before any extra file. */
export const SYSTEM_ALSA_CONFIG = '/usr/share/alsa/alsa.conf';
/** Lines of a child's stderr kept for error messages. */
const STDERR_TAIL_LINES = 5;
/** How long a stopped child may take before it is killed. */
export const CHILD_STOP_MS = 2_000;

/** The environment for ALSA programs: the system configuration plus `extraConfig`, if any. */
export function alsaEnv(extraConfig: string | null | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!extraConfig) return base;
  const current = base['ALSA_CONFIG_PATH'] || SYSTEM_ALSA_CONFIG;
  return { ...base, ALSA_CONFIG_PATH: `${current}:${extraConfig}` };
}

export function alsaSampleFormat(width: number): string {
  switch (width) {
    case 1:
      return 'U8';
    case 2:
      return 'S16_LE';
    case 4:
      return 'S32_LE';
    default:
      throw new SatelliteError('SAT_ERR_AUDIO_FORMAT', `no ALSA sample format for width ${width}`);
  }
}

/** Keeps the last lines a child wrote to stderr, for telling the user why it failed. */
export class StderrTail {
  #lines: string[] = [];

  attach(child: ChildProcess): void {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.#lines.push(...text.split('\n').map((l) => l.trim()).filter(Boolean));
      if (this.#lines.length > STDERR_TAIL_LINES) this.#lines = this.#lines.slice(-STDERR_TAIL_LINES);
    });
  }

  toString(): string {
    return this.#lines.join(' | ');
  }
}

/** Resolves when the child has exited, with its code (null when killed by a signal). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
}

/** SIGTERM, then SIGKILL if the child is still there after CHILD_STOP_MS. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_MS);
  await done;
  clearTimeout(timer);
}

export function spawnAlsa(program: 'arecord' | 'aplay', args: string[], env: NodeJS.ProcessEnv, stdio: 'capture' | 'playback'): ChildProcess {
  return spawn(program, args, {
    env,
    stdio: stdio === 'capture' ? ['ignore', 'pipe', 'pipe'] : ['pipe', 'ignore', 'pipe'],
  });
}

export function deviceError(program: string, device: string, detail: string, cause?: unknown): SatelliteError {
  return new SatelliteError('SAT_ERR_AUDIO_DEVICE', `${program} on "${device}": ${detail}`, { cause });
}
