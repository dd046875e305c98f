/** `satellite devices`: the capture and playback devices usable as audio.mic.device / audio.speaker.device. */
import type { CommandModule } from 'yargs';
import { AlsaBackend } from '../adapters/audio/alsa-backend.js';
import type { DeviceList } from '../adapters/audio/audio-device.js';
import { portAudioBackend } from '../adapters/audio/choose-backend.js';
import { PortAudioBackend } from '../adapters/audio/portaudio-backend.js';
import { globalOptions, loadFromArgs, type GlobalArgs } from './options.js';

type DevicesArgs = GlobalArgs & { json?: boolean; backend?: string };

function render(list: DeviceList): string {
  const lines = [`${list.backend}:`];
  for (const [title, entries] of [
    ['inputs (audio.mic.device)', list.inputs],
    ['outputs (audio.speaker.device)', list.outputs],
  ] as const) {
    lines.push(`  ${title}:`);
    if (entries.length === 0) lines.push('    (none)');
    for (const e of entries) lines.push(`    ${e.id}${e.description ? `  — ${e.description}` : ''}`);
  }
  return lines.join('\n');
}

export const devicesCommand: CommandModule<object, DevicesArgs> = {
  command: 'devices',
  describe: 'list audio input and output devices',
  builder: (y) =>
    globalOptions(y)
      .option('json', { type: 'boolean', describe: 'print JSON' })
      .option('backend', { choices: ['all', 'alsa', 'naudiodon'], default: 'all', describe: 'which backend to ask' }) as never,
  handler: async (args) => {
    const { config } = loadFromArgs(args);
    const alsaConfig = config.audio.alsa_config;
    const lists: DeviceList[] = [];
    const notes: string[] = [];
    if (args.backend !== 'naudiodon') lists.push(await new AlsaBackend(alsaConfig).listDevices());
    if (args.backend !== 'alsa') {
      const pa = portAudioBackend(alsaConfig);
      if (pa instanceof PortAudioBackend) lists.push(await pa.listDevices());
      else notes.push(`naudiodon (PortAudio) does not load: ${pa.error}`);
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ backends: lists, notes }, null, 2)}\n`);
    } else {
      process.stdout.write(`${lists.map(render).join('\n\n')}\n`);
      for (const n of notes) process.stdout.write(`note: ${n}\n`);
    }
  },
};
