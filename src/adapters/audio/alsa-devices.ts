/** Lists ALSA capture and playback devices with `arecord -L` / `aplay -L`. */
import { execFile } from 'node:child_process';
import type { DeviceEntry, DeviceList } from './audio-device.js';

/** Listing is quick; a hung sound server must not hang `satellite devices`. */
const LIST_TIMEOUT_MS = 5_000;

/** Parses `-L` output: a device id at the start of a line, its description indented below. */
export function parseAlsaList(text: string): DeviceEntry[] {
  const entries: DeviceEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      const last = entries[entries.length - 1];
      if (last) last.description = last.description ? `${last.description} — ${line.trim()}` : line.trim();
    } else {
      entries.push({ id: line.trim(), description: '' });
    }
  }
  return entries;
}

function run(program: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(program, ['-L'], { env, timeout: LIST_TIMEOUT_MS }, (err, stdout) => resolve(err && !stdout ? '' : stdout));
  });
}

export async function listAlsaDevices(env: NodeJS.ProcessEnv): Promise<DeviceList> {
  const [inputs, outputs] = await Promise.all([run('arecord', env), run('aplay', env)]);
  return { backend: 'alsa', inputs: parseAlsaList(inputs), outputs: parseAlsaList(outputs) };
}
