import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/adapters/mqtt/commands.js';

const sat = { wakeWords: ['hey_jarvis', 'alexa'], supervised: true };
const noSat = { wakeWords: null, supervised: true };
const unsupervised = { wakeWords: null, supervised: false };

function error(result: ReturnType<typeof parseCommand>): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.error.code;
}

test('entity topics take plain payloads', () => {
  assert.deepEqual(parseCommand('mute/set', 'ON', sat), { ok: true, value: { command: 'mute', muted: true }, transaction: undefined });
  assert.deepEqual(parseCommand('mute/set', 'off', sat).ok && parseCommand('mute/set', 'off', sat), { ok: true, value: { command: 'mute', muted: false }, transaction: undefined });
  assert.deepEqual(parseCommand('volume/set', '42.4', sat), { ok: true, value: { command: 'volume', percent: 42 }, transaction: undefined });
  assert.deepEqual(parseCommand('wake_word/set', 'alexa', sat), { ok: true, value: { command: 'wake_word', name: 'alexa' }, transaction: undefined });
  assert.deepEqual(parseCommand('speak', ' Hello there ', sat), { ok: true, value: { command: 'speak', text: 'Hello there' }, transaction: undefined });
  assert.deepEqual(parseCommand('restart', 'PRESS', noSat), { ok: true, value: { command: 'restart' }, transaction: undefined });
});

test('the JSON command topic carries the command name, its value and a transaction that is echoed', () => {
  const r = parseCommand('command', '{"command":"volume","value":70,"transaction":"t1"}', sat);
  assert.deepEqual(r, { ok: true, value: { command: 'volume', percent: 70 }, transaction: 't1' });
  assert.deepEqual(parseCommand('command', '{"command":"speak","text":"hi"}', sat).ok, true);
  assert.deepEqual(parseCommand('volume/set', '{"value": 5}', sat), { ok: true, value: { command: 'volume', percent: 5 }, transaction: undefined });
});

test('bad JSON, unknown commands, out-of-range values and unknown wake words are coded errors', () => {
  assert.equal(error(parseCommand('command', '{"command": "mute",', sat)), 'SAT_ERR_MQTT_BAD_JSON');
  assert.equal(error(parseCommand('command', '[1,2]', sat)), 'SAT_ERR_MQTT_BAD_JSON');
  assert.equal(error(parseCommand('command', '{"command":"dance"}', sat)), 'SAT_ERR_MQTT_UNKNOWN_COMMAND');
  assert.equal(error(parseCommand('volume/set', '101', sat)), 'SAT_ERR_MQTT_OUT_OF_RANGE');
  assert.equal(error(parseCommand('volume/set', '-1', sat)), 'SAT_ERR_MQTT_OUT_OF_RANGE');
  assert.equal(error(parseCommand('volume/set', 'loud', sat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('mute/set', 'maybe', sat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('wake_word/set', 'ok_nabu', sat)), 'SAT_ERR_WAKE_MODEL_NOT_FOUND');
  assert.equal(error(parseCommand('speak', '   ', sat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('speak', 'x'.repeat(5000), sat)), 'SAT_ERR_MQTT_OUT_OF_RANGE');
  assert.equal(error(parseCommand('speak', 'x'.repeat(20_000), sat)), 'SAT_ERR_MQTT_COMMAND_TOO_LARGE');
});

test('satellite commands without a satellite are refused, restart still works under a service manager', () => {
  assert.equal(error(parseCommand('mute/set', 'ON', noSat)), 'SAT_ERR_MQTT_NO_SATELLITE');
  assert.equal(error(parseCommand('command', '{"command":"volume","value":3,"transaction":7}', noSat)), 'SAT_ERR_MQTT_NO_SATELLITE');
  const r = parseCommand('command', '{"command":"volume","value":3,"transaction":7}', noSat);
  assert.equal(r.ok ? null : r.transaction, 7);
  assert.equal(parseCommand('command', '{"command":"restart"}', noSat).ok, true);
});

test('restart takes only PRESS, and only when a service manager starts the daemon again', () => {
  assert.equal(parseCommand('restart', 'PRESS', noSat).ok, true);
  assert.equal(error(parseCommand('restart', 'anything', noSat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('restart', 'press', noSat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('command', '{"command":"restart","value":"now"}', noSat)), 'SAT_ERR_MQTT_BAD_VALUE');
  assert.equal(error(parseCommand('restart', 'PRESS', unsupervised)), 'SAT_ERR_MQTT_NO_SUPERVISOR');
  assert.equal(error(parseCommand('command', '{"command":"restart"}', unsupervised)), 'SAT_ERR_MQTT_NO_SUPERVISOR');
});

test("HA's MQTT notify sends raw text: a message that starts with { is spoken as it is unless it is the documented object", () => {
  // HA's notify publishes the message itself (mqtt/notify.py async_send_message renders the command template of the message).
  const said = (payload: string) => {
    const r = parseCommand('speak', payload, sat);
    return r.ok && r.value.command === 'speak' ? r.value.text : `error ${r.ok ? '' : r.error.code}`;
  };
  assert.equal(said('{curly} braces are fine'), '{curly} braces are fine');
  assert.equal(said('{"note": "not ours"}'), '{"note": "not ours"}');
  assert.equal(said('{ "text": 1'), '{ "text": 1');
  assert.equal(said('{"text": "the documented object", "transaction": "t"}'), 'the documented object');
  assert.equal(parseCommand('speak', '{"text": "hi", "transaction": "t9"}', sat).transaction, 't9');
  assert.equal(error(parseCommand('volume/set', '{not json', sat)), 'SAT_ERR_MQTT_BAD_VALUE', 'other topics treat it as a plain (bad) value');
});
