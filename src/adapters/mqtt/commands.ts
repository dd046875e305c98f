/**
 * Parsing and validating MQTT commands. Entity topics take plain payloads (`ON`, `42`, a wake
 * word, text) or the documented JSON object (`{"value": …}`, `{"text": …}`, with an optional
 * `transaction`); anything else that merely starts with `{` is plain text, because HA's MQTT
 * notify publishes the message as it is. The generic command topic takes JSON only. The restart
 * topic takes only `PRESS` (the button's payload). Every refusal is a coded error that goes back
 * on the response topic. (Empty payloads never get here: they clear retained messages.)
 */
import type { ErrorCode } from '../../util/error-codes.js';
import { SatelliteError } from '../../util/errors.js';
import { COMMAND_TOPICS, JSON_COMMAND_TOPIC, type CommandName } from './topics.js';
import { matchWakeModel } from '../../engines/wake/wake.js';

export const MAX_SPEAK_CHARS = 2000;
export const MAX_COMMAND_BYTES = 16 * 1024;
export const MIN_VOLUME = 0;
export const MAX_VOLUME = 100;
/** The restart button's payload, and the only one the restart topic accepts. */
export const PRESS_PAYLOAD = 'PRESS';
/** Keys of the JSON object an entity topic takes; the first four carry the value. */
const ENTITY_JSON_VALUE_KEYS = ['value', 'text', 'name', 'state'];
const ENTITY_JSON_KEYS = new Set([...ENTITY_JSON_VALUE_KEYS, 'transaction']);

export type Command =
  | { command: 'mute'; muted: boolean }
  | { command: 'volume'; percent: number }
  | { command: 'wake_word'; name: string }
  | { command: 'speak'; text: string }
  | { command: 'restart' }
  /** Look for installed, removed or changed models now. */
  | { command: 'rescan' };

export type ParsedCommand =
  | { ok: true; value: Command; transaction: unknown }
  | { ok: false; command: string | null; error: SatelliteError; transaction: unknown };

export interface CommandContext {
  /** Wake words the satellite can switch to; null when there is no satellite. */
  wakeWords: readonly string[] | null;
  /** A service manager starts the daemon again after it exits; without one `restart` is refused. */
  supervised: boolean;
}

const fail = (command: string | null, code: ErrorCode, message: string, transaction: unknown = undefined): ParsedCommand => ({
  ok: false,
  command,
  error: new SatelliteError(code, message),
  transaction,
});

const TRUE_WORDS = new Set(['on', 'true', '1', 'yes', 'mute', 'muted']);
const FALSE_WORDS = new Set(['off', 'false', '0', 'no', 'unmute', 'unmuted']);

function toBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** `relativeTopic` is the topic under the base, e.g. `volume/set` or `command`. */
export function parseCommand(relativeTopic: string, payload: Buffer | string, ctx: CommandContext): ParsedCommand {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (Buffer.byteLength(text) > MAX_COMMAND_BYTES) return fail(null, 'SAT_ERR_MQTT_COMMAND_TOO_LARGE', `command payload over ${MAX_COMMAND_BYTES} bytes`);
  const fromTopic = (COMMAND_TOPICS as Record<string, CommandName>)[relativeTopic] ?? null;
  const isJsonTopic = relativeTopic === JSON_COMMAND_TOPIC;
  if (!fromTopic && !isJsonTopic) return fail(null, 'SAT_ERR_MQTT_UNKNOWN_COMMAND', `no command on topic ${relativeTopic}`);

  const trimmed = text.trim();
  let body: Record<string, unknown> | null = null;
  if (isJsonTopic) {
    const parsed = parseObject(trimmed);
    if (!parsed.ok) return fail(null, 'SAT_ERR_MQTT_BAD_JSON', `command is not a JSON object: ${parsed.reason}`);
    body = parsed.value;
  } else if (trimmed.startsWith('{')) {
    body = entityObject(trimmed);
  }
  const transaction = body?.['transaction'];
  const name = isJsonTopic ? body?.['command'] : fromTopic;
  if (typeof name !== 'string' || !Object.values(COMMAND_TOPICS).includes(name as CommandName)) {
    return fail(typeof name === 'string' ? name : null, 'SAT_ERR_MQTT_UNKNOWN_COMMAND', `unknown command ${JSON.stringify(name ?? null)}; expected one of ${Object.values(COMMAND_TOPICS).join(', ')}`, transaction);
  }
  const command = name as CommandName;
  const value: unknown = body ? (body['value'] ?? body['text'] ?? body['name'] ?? body['state']) : text;
  return validate(command, value, ctx, transaction);
}

function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
    return { ok: true, value: parsed as Record<string, unknown> };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** The documented object of an entity topic, or null when the payload is text that happens to start with `{`. */
function entityObject(text: string): Record<string, unknown> | null {
  const parsed = parseObject(text);
  if (!parsed.ok) return null;
  const keys = Object.keys(parsed.value);
  const documented = keys.every((k) => ENTITY_JSON_KEYS.has(k)) && keys.some((k) => ENTITY_JSON_VALUE_KEYS.includes(k));
  return documented ? parsed.value : null;
}

function validate(command: CommandName, value: unknown, ctx: CommandContext, transaction: unknown): ParsedCommand {
  const ok = (v: Command): ParsedCommand => ({ ok: true, value: v, transaction });
  if (command === 'restart') {
    // The button sends PRESS; `{"command": "restart"}` on the command topic needs no value.
    if (value !== undefined && (typeof value !== 'string' || value.trim() !== PRESS_PAYLOAD)) {
      return fail(command, 'SAT_ERR_MQTT_BAD_VALUE', `restart expects ${PRESS_PAYLOAD}, got ${JSON.stringify(value)}`, transaction);
    }
    if (!ctx.supervised) {
      return fail(command, 'SAT_ERR_MQTT_NO_SUPERVISOR', 'restart needs a service manager that starts the daemon again (systemd, or mqtt.supervised: true); without one it would only stop', transaction);
    }
    return ok({ command: 'restart' });
  }
  if (command === 'rescan') return ok({ command: 'rescan' });
  if (ctx.wakeWords === null) return fail(command, 'SAT_ERR_MQTT_NO_SATELLITE', `${command} needs the satellite, which is not configured`, transaction);
  switch (command) {
    case 'mute': {
      const muted = toBoolean(value);
      if (muted === null) return fail(command, 'SAT_ERR_MQTT_BAD_VALUE', `mute expects ON or OFF, got ${JSON.stringify(value)}`, transaction);
      return ok({ command, muted });
    }
    case 'volume': {
      const n = toNumber(value);
      if (n === null) return fail(command, 'SAT_ERR_MQTT_BAD_VALUE', `volume expects a number, got ${JSON.stringify(value)}`, transaction);
      if (n < MIN_VOLUME || n > MAX_VOLUME) return fail(command, 'SAT_ERR_MQTT_OUT_OF_RANGE', `volume ${n} is outside ${MIN_VOLUME}–${MAX_VOLUME}`, transaction);
      return ok({ command, percent: Math.round(n) });
    }
    case 'wake_word': {
      const word = typeof value === 'string' ? value.trim() : '';
      // The one wake-name rule (any case, spaces or dashes, a version suffix, the spoken phrase).
      const known = word ? matchWakeModel(ctx.wakeWords.map((name) => ({ name, phrase: name })), word) : undefined;
      if (!known) {
        return fail(command, 'SAT_ERR_WAKE_MODEL_NOT_FOUND', `unknown wake word ${JSON.stringify(value)}; available: ${ctx.wakeWords.join(', ') || 'none'}`, transaction);
      }
      return ok({ command, name: known.name });
    }
    case 'speak': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (!text) return fail(command, 'SAT_ERR_MQTT_BAD_VALUE', 'speak expects non-empty text', transaction);
      if ([...text].length > MAX_SPEAK_CHARS) return fail(command, 'SAT_ERR_MQTT_OUT_OF_RANGE', `speak text over ${MAX_SPEAK_CHARS} characters`, transaction);
      return ok({ command, text });
    }
  }
}
