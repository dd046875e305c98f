import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, isJournalStream, moduleLogger, resolveLogFormat } from '../../src/util/logger.js';
import { formatJournal, formatPretty, journalPrefix } from '../../src/util/log-format.js';

function sink() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

test('JSON lines carry the module of the child logger and the level name', () => {
  const { lines, destination } = sink();
  const log = moduleLogger('mqtt', createLogger({ level: 'info', format: 'json', destination }));
  log.info({ topic: 't' }, 'connected');
  log.debug('hidden at info');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry['module'], 'mqtt');
  assert.equal(entry['level'], 'info');
  assert.equal(entry['msg'], 'connected');
});

test('secrets are redacted wherever they appear in logged objects', () => {
  const { lines, destination } = sink();
  const log = createLogger({ level: 'info', format: 'json', destination });
  log.info({ mqtt: { password: 'hunter2', url: 'mqtt://x' }, api_key: 'sk-1', headers: { authorization: 'Bearer x' } }, 'config');
  assert.doesNotMatch(lines[0]!, /hunter2|sk-1|Bearer x/);
  assert.match(lines[0]!, /mqtt:\/\/x/);
});

test('the password inside a URL is redacted in fields, messages and errors', () => {
  for (const format of ['json', 'pretty'] as const) {
    const { lines, destination } = sink();
    const log = createLogger({ level: 'info', format, destination });
    log.info({ url: 'mqtt://bob:hunter2@broker.lan:1883' }, 'connecting');
    log.warn('mirror https://ci:t0ken@mirror.lan/hf/ refused');
    log.error({ err: new Error('HTTP 401 from https://ci:t0ken@mirror.lan/hf/a.onnx') }, 'failed');
    const text = lines.join('');
    assert.doesNotMatch(text, /hunter2|t0ken/);
    assert.match(text, /mqtt:\/\/bob:\[redacted\]@broker\.lan:1883/);
    assert.match(text, /https:\/\/ci:\[redacted\]@mirror\.lan\/hf\//);
  }
});

test('errors are logged under err with their code', () => {
  const { lines, destination } = sink();
  const log = createLogger({ level: 'info', format: 'json', destination });
  log.error({ err: Object.assign(new Error('boom'), { code: 'SAT_ERR_X' }) }, 'failed');
  const entry = JSON.parse(lines[0]!) as { err: { message: string; code: string } };
  assert.equal(entry.err.message, 'boom');
  assert.equal(entry.err.code, 'SAT_ERR_X');
});

test('the terminal format is one readable line with the module and fields', () => {
  const line = formatPretty(JSON.stringify({ level: 'warn', time: 0, module: 'provider', msg: 'slow', ms: 12 }));
  assert.match(line, /WARN.*\[provider\] slow ms=12\n$/);
  assert.equal(journalPrefix('{"level":"error"}'), '<3>');
  assert.equal(journalPrefix('{"level":"info"}'), '<6>');
});

test('the journal format is one readable line per event with the syslog priority of its level', () => {
  const line = (entry: object) => formatJournal(`${JSON.stringify({ time: 0, ...entry })}\n`);
  assert.equal(line({ level: 'info', module: 'provider', msg: 'listening', port: 10300 }), '<6>[provider] listening port=10300\n');
  assert.equal(line({ level: 'warn', msg: 'slow' }), '<4>WARN slow\n');
  assert.equal(line({ level: 'error', msg: 'failed', err: { code: 'SAT_ERR_X', message: 'boom', stack: 'Error: boom\n    at x' } }), '<3>ERROR failed err=SAT_ERR_X: boom\n');
  assert.equal(line({ level: 'fatal', msg: 'down' }), '<2>FATAL down\n');
  assert.equal(line({ level: 'debug', msg: 'chunk' }), '<7>DEBUG chunk\n');
  // A line break inside a message would start a second journal entry without a priority.
  assert.equal(line({ level: 'info', msg: 'invalid configuration:\n  - provider.port' }), '<6>invalid configuration:\\n  - provider.port\n');
  assert.equal(formatJournal('not json\n'), '<6>not json\n');
});

test('auto is pretty on a terminal, the journal form when stdout is the journal, JSON anywhere else', () => {
  assert.equal(resolveLogFormat('auto', { tty: true, journal: false }), 'pretty');
  assert.equal(resolveLogFormat('auto', { tty: false, journal: true }), 'journal');
  assert.equal(resolveLogFormat('auto', { tty: false, journal: false }), 'json');
  assert.equal(resolveLogFormat(undefined, { tty: false, journal: false }), 'json');
  for (const forced of ['json', 'pretty', 'journal'] as const) assert.equal(resolveLogFormat(forced, { tty: false, journal: true }), forced);
});

test('stdout is the journal only when JOURNAL_STREAM names its device and inode', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-journal-'));
  const file = path.join(dir, 'out');
  const fd = openSync(file, 'w');
  try {
    const st = fstatSync(fd, { bigint: true });
    assert.equal(isJournalStream(fd, { JOURNAL_STREAM: `${st.dev}:${st.ino}` }), true);
    assert.equal(isJournalStream(fd, { JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` }), false, 'inherited by a child whose output goes elsewhere');
    assert.equal(isJournalStream(fd, {}), false);
    assert.equal(isJournalStream(fd, { JOURNAL_STREAM: 'garbage' }), false);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pretty format has colours only when asked (a terminal)', () => {
  const entry = JSON.stringify({ level: 'info', time: 0, msg: 'hi' });
  assert.match(formatPretty(entry), /\x1b\[32m/);
  assert.doesNotMatch(formatPretty(entry, false), /\x1b/);
});
