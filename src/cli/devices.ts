/**
 * `satellite devices`: the capture and playback devices usable as audio.mic.device /
 * audio.speaker.device, and which backend the configured devices get and why the other one not.
 */
import type { CommandModule } from 'yargs';
import { AlsaBackend } from '../adapters/audio/alsa-backend.js';
import { quietAlsaErrors } from '../adapters/audio/alsa-quiet.js';
import type { DeviceList } from '../adapters/audio/audio-device.js';
import {
  BACKEND_LABEL,
  alsaUtilsProblem,
  decideBackend,
  portAudioBackend,
  portAudioView,
  type BackendDecision,
} from '../adapters/audio/choose-backend.js';
import { PortAudioBackend } from '../adapters/audio/portaudio-backend.js';
import type { Config } from '../config/schema.js';
import { loadFromArgs, sharedOptions, type GlobalArgs } from './options.js';

type DevicesArgs = GlobalArgs & { json?: boolean; backend?: string };

interface Selected extends BackendDecision {
  role: 'microphone' | 'speaker';
  device: string;
}

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

/** The backend the satellite would use for the configured mic and speaker (as `chooseBackend` decides at start-up). */
function selected(audio: Config['audio']): Selected[] {
  const out: Selected[] = [];
  const mic = audio.mic.device;
  out.push({ role: 'microphone', device: mic, ...decideBackend(audio.backend, 'input', viewFor(audio, mic, 'input'), audio.mic.pace) });
  const speaker = audio.speaker.device;
  if (speaker) out.push({ role: 'speaker', device: speaker, ...decideBackend(audio.backend, 'output', viewFor(audio, speaker, 'output')) });
  return out;
}

function viewFor(audio: Config['audio'], device: string, direction: 'input' | 'output') {
  return audio.backend === 'alsa' ? { error: 'not loaded' } : portAudioView(device, direction, audio.alsa_config);
}

export const devicesCommand: CommandModule<object, DevicesArgs> = {
  command: 'devices',
  describe: 'list audio input and output devices, and which backend the configured ones use',
  builder: (y) =>
    sharedOptions(y)
      .option('json', { type: 'boolean', describe: 'print JSON' })
      .option('backend', { choices: ['all', 'alsa', 'naudiodon'], default: 'all', describe: 'which backend to ask' }) as never,
  handler: async (args) => {
    const { config } = loadFromArgs(args);
    // PortAudio's probe makes libasound print dozens of `ALSA lib …` lines on a machine with no sound card.
    quietAlsaErrors();
    const alsaConfig = config.audio.alsa_config;
    const lists: DeviceList[] = [];
    const notes: string[] = [];
    const alsaMissing = alsaUtilsProblem();
    if (alsaMissing) notes.push(alsaMissing);
    else if (args.backend !== 'naudiodon') lists.push(await new AlsaBackend(alsaConfig).listDevices());
    if (args.backend !== 'alsa') {
      const pa = portAudioBackend(alsaConfig);
      if (pa instanceof PortAudioBackend) lists.push(await pa.listDevices());
      else notes.push(`PortAudio cannot be listed: ${pa.error}`);
    }
    const chosen = selected(config.audio);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ backend: config.audio.backend, selected: chosen, backends: lists, notes }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`audio.backend: ${config.audio.backend}\n`);
    for (const s of chosen) process.stdout.write(`  ${s.role} "${s.device}": ${BACKEND_LABEL[s.backend]}; ${s.why}\n`);
    if (lists.length) process.stdout.write(`\n${lists.map(render).join('\n\n')}\n`);
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
  },
};
