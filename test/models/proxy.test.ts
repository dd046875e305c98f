import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bypassesProxy, proxyFor } from '../../src/models/proxy.js';

test('HTTPS_PROXY applies to https URLs and HTTP_PROXY to http URLs, in either case', () => {
  assert.equal(proxyFor(new URL('https://github.com/x'), { HTTPS_PROXY: 'http://proxy:3128' })?.host, 'proxy:3128');
  assert.equal(proxyFor(new URL('https://github.com/x'), { https_proxy: 'proxy.lan:8080' })?.host, 'proxy.lan:8080');
  assert.equal(proxyFor(new URL('http://mirror.lan/x'), { HTTPS_PROXY: 'http://proxy:3128' }), null);
  assert.equal(proxyFor(new URL('http://mirror.lan/x'), { HTTP_PROXY: 'http://proxy:3128' })?.host, 'proxy:3128');
});

test('NO_PROXY hosts, domain suffixes, "*" and loopback targets bypass the proxy', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'internal.lan, .corp.example' };
  assert.equal(bypassesProxy(new URL('https://internal.lan/x'), env), true);
  assert.equal(bypassesProxy(new URL('https://a.internal.lan/x'), env), true);
  assert.equal(bypassesProxy(new URL('https://models.corp.example/x'), env), true);
  assert.equal(bypassesProxy(new URL('https://github.com/x'), env), false);
  assert.equal(bypassesProxy(new URL('https://github.com/x'), { NO_PROXY: '*' }), true);
  assert.equal(proxyFor(new URL('http://127.0.0.1:9/x'), { HTTP_PROXY: 'http://proxy:3128' }), null);
  assert.equal(proxyFor(new URL('http://localhost:9/x'), { HTTP_PROXY: 'http://proxy:3128' }), null);
});

test('a malformed proxy URL is a coded error', () => {
  assert.throws(() => proxyFor(new URL('https://github.com/x'), { HTTPS_PROXY: 'http://[bad' }), (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_PROXY');
});
