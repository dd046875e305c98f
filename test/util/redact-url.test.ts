import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrlPasswords } from '../../src/util/redact-url.js';

test('the password of a URL is hidden and the user, host, port and path stay', () => {
  assert.equal(redactUrlPasswords('mqtt://bob:hunter2@broker.lan:1883'), 'mqtt://bob:[redacted]@broker.lan:1883');
  assert.equal(redactUrlPasswords('https://ci:t0ken@mirror.lan/hf/x@v1'), 'https://ci:[redacted]@mirror.lan/hf/x@v1');
  assert.equal(redactUrlPasswords('wss://:only-pw@h/'), 'wss://:[redacted]@h/');
});

test('a password holding @, ? or # is hidden whole', () => {
  assert.equal(redactUrlPasswords('mqtt://bob:p@ss?w#rd@broker:1883'), 'mqtt://bob:[redacted]@broker:1883');
});

test('URLs inside running text are found, each one redacted', () => {
  const text = 'transfer of https://a:one@x.lan/f broke off; retry via mqtt://b:two@y.lan';
  assert.equal(redactUrlPasswords(text), 'transfer of https://a:[redacted]@x.lan/f broke off; retry via mqtt://b:[redacted]@y.lan');
  assert.equal(redactUrlPasswords('{"url":"mqtt://u:pw@h:1883","n":1}'), '{"url":"mqtt://u:[redacted]@h:1883","n":1}');
});

test('text without a URL password is left alone, and redacting twice changes nothing', () => {
  for (const text of ['mqtt://broker.lan:1883', 'mqtt://token@broker.lan', 'user:pw@host', 'https://host/a@b', 'no url here']) {
    assert.equal(redactUrlPasswords(text), text);
  }
  const once = redactUrlPasswords('mqtt://bob:hunter2@broker');
  assert.equal(redactUrlPasswords(once), once);
});
