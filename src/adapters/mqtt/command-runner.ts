/** Carries out parsed MQTT commands on the satellite and reports each outcome on the response topic. */
import type { SatelliteControl } from '../../core/satellite-control.js';
import { errorCode, errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { parseCommand, type Command } from './commands.js';

export interface CommandResponse {
  command: string | null;
  status: 'ok' | 'error';
  error?: { code: string; message: string };
  transaction?: unknown;
}

export interface CommandRunnerDeps {
  satellite: () => SatelliteControl | undefined;
  /** A service manager starts the daemon again after it exits (else `restart` is refused). */
  supervised: boolean;
  /** Stops the daemon cleanly and exits non-zero so the service manager starts it again. */
  restart: () => Promise<void> | void;
  /** Whether a restart command is live, not a retained message the flag did not reveal (see retained.ts). */
  confirmLive: (relativeTopic: string, payload: Buffer) => Promise<boolean>;
  /** The speech service's one rescan of the models; resolves once it has finished. */
  rescan: () => Promise<void>;
  respond: (response: CommandResponse) => Promise<void>;
  /** Called after a command changed something the state document shows. */
  changed: () => void;
  log: Logger;
}

export class CommandRunner {
  constructor(private readonly deps: CommandRunnerDeps) {}

  async handle(relativeTopic: string, payload: Buffer): Promise<void> {
    const sat = this.deps.satellite();
    const parsed = parseCommand(relativeTopic, payload, { wakeWords: sat ? sat.wakeWords : null, supervised: this.deps.supervised });
    if (!parsed.ok) {
      this.deps.log.warn({ topic: relativeTopic, code: parsed.error.code, command: parsed.command }, `MQTT command refused: ${parsed.error.message}`);
      await this.deps.respond(withTransaction({ command: parsed.command, status: 'error', error: { code: parsed.error.code, message: parsed.error.message } }, parsed.transaction));
      return;
    }
    const { value, transaction } = parsed;
    if (value.command === 'restart' && !(await this.deps.confirmLive(relativeTopic, payload))) return;
    this.deps.log.info({ command: value.command }, 'MQTT command');
    if (value.command === 'restart') {
      await this.deps.respond(withTransaction({ command: 'restart', status: 'ok' }, transaction));
      await this.deps.restart();
      return;
    }
    if (value.command === 'rescan') {
      // Needs no satellite: the models serve the provider too. `ok` once the rescan has finished.
      await this.deps.rescan();
      await this.deps.respond(withTransaction({ command: 'rescan', status: 'ok' }, transaction));
      this.deps.changed();
      return;
    }
    try {
      await this.#run(value, sat!);
      await this.deps.respond(withTransaction({ command: value.command, status: 'ok' }, transaction));
    } catch (err) {
      const code = errorCode(err, 'SAT_ERR_MQTT_COMMAND_FAILED');
      this.deps.log.warn({ err, code, command: value.command }, 'MQTT command failed');
      await this.deps.respond(withTransaction({ command: value.command, status: 'error', error: { code, message: errorMessage(err) } }, transaction));
    } finally {
      this.deps.changed();
    }
  }

  async #run(command: Exclude<Command, { command: 'restart' | 'rescan' }>, sat: SatelliteControl): Promise<void> {
    switch (command.command) {
      case 'mute':
        return sat.setMuted(command.muted);
      case 'volume':
        return sat.setVolume(command.percent);
      case 'wake_word':
        sat.selectWakeWord(command.name);
        return settle(() => sat.activeWakeWord === command.name);
      case 'speak':
        return sat.speak(command.text);
    }
  }
}

/** The satellite switches wake models in the background; the state is published once it has. */
export const WAKE_SWITCH_WAIT_MS = 3000;
const SETTLE_POLL_MS = 25;

async function settle(done: () => boolean, timeoutMs = WAKE_SWITCH_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
}

function withTransaction(response: CommandResponse, transaction: unknown): CommandResponse {
  return transaction === undefined ? response : { ...response, transaction };
}
