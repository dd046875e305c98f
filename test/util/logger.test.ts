import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, moduleLogger } from '../../src/util/logger.js';
import { formatPretty, journalPrefix } from '../../src/util/log-format.js';

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
