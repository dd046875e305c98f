/**
 * The controls of the live view are MQTT's commands, parsed by the same rules and carried out by
 * the same runner on the same satellite controller: `{"command": "mute", "value": true}` here
 * means exactly what it means on `<base>/command`. The page offers the satellite's controls and a
 * rescan; restarting the daemon stays with MQTT and systemd.
 */
import type { SatelliteControl } from '../../../core/satellite-control.js';
import { SatelliteError } from '../../../util/errors.js';
import type { Logger } from '../../../util/logger.js';
import { CommandRunner, type CommandResponse } from '../../mqtt/command-runner.js';
import { MAX_COMMAND_BYTES } from '../../mqtt/commands.js';
import { JSON_COMMAND_TOPIC } from '../../mqtt/topics.js';

export const PAGE_COMMANDS = ['mute', 'volume', 'wake_word', 'speak', 'rescan'] as const;

export interface PageCommandDeps {
  satellite: SatelliteControl | undefined;
  /** A setting changed: the other surfaces (MQTT) show it too. */
  changed: () => void;
  rescan: () => Promise<void>;
  log: Logger;
}

/** Runs one command from the page; resolves with the runner's answer (ok, or a coded error). */
export async function runPageCommand(deps: PageCommandDeps, body: Record<string, unknown>): Promise<CommandResponse> {
  const command = body['command'];
  if (typeof command !== 'string' || !(PAGE_COMMANDS as readonly string[]).includes(command)) {
    throw new SatelliteError('SAT_ERR_MQTT_UNKNOWN_COMMAND', `unknown command ${JSON.stringify(command ?? null)}; the web view offers ${PAGE_COMMANDS.join(', ')}`);
  }
  const payload = Buffer.from(JSON.stringify({ command, ...(body['value'] === undefined ? {} : { value: body['value'] }) }));
  if (payload.length > MAX_COMMAND_BYTES) throw new SatelliteError('SAT_ERR_MQTT_COMMAND_TOO_LARGE', `command over ${MAX_COMMAND_BYTES} bytes`);
  let answer: CommandResponse | undefined;
  const runner = new CommandRunner({
    satellite: () => deps.satellite,
    supervised: false,
    restart: () => undefined,
    confirmLive: async () => false,
    rescan: deps.rescan,
    respond: async (response) => void (answer = response),
    changed: deps.changed,
    log: deps.log,
  });
  await runner.handle(JSON_COMMAND_TOPIC, payload);
  return answer ?? { command, status: 'error', error: { code: 'SAT_ERR_INTERNAL', message: 'the command was not answered' } };
}
