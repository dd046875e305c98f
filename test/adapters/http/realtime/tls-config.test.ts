/**
 * The shim's TLS material: a configured pair is read as is, half a pair is refused with
 * SAT_ERR_HTTP_TLS, and a self-signed certificate is generated once (by the openssl CLI) and reused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTls } from '../../../../src/adapters/http/tls.js';
import { hasCommand, need } from '../../../helpers/system.js';

const NONE = { cert_file: null, key_file: null, self_signed: false };

describe('shim TLS material', () => {
  test('plain HTTP when nothing is configured', async () => {
    assert.equal(await loadTls(NONE, mkdtempSync(path.join(os.tmpdir(), 'tls-')), []), undefined);
  });

  test('a cert_file without key_file is refused with SAT_ERR_HTTP_TLS', async () => {
    await assert.rejects(loadTls({ ...NONE, cert_file: '/nonexistent/cert.pem' }, null, []), { code: 'SAT_ERR_HTTP_TLS' });
    await assert.rejects(loadTls({ ...NONE, cert_file: '/nonexistent/cert.pem', key_file: '/nonexistent/key.pem' }, null, []), { code: 'SAT_ERR_HTTP_TLS' });
  });

  test('self_signed generates a certificate for loopback and the host once, then reuses it; the pair loads as files', async (t) => {
    if (!need(t, hasCommand('openssl'), 'openssl missing')) return;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    const first = await loadTls({ ...NONE, self_signed: true }, stateDir, ['satellite.lan']);
    assert.ok(first);
    const cert = new X509Certificate(first.cert);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:satellite.lan']) assert.ok(cert.subjectAltName?.includes(name), cert.subjectAltName);
    const again = await loadTls({ ...NONE, self_signed: true }, stateDir, ['satellite.lan']);
    assert.deepEqual(again!.cert, first.cert);
    const files = await loadTls({ ...NONE, cert_file: first.certFile, key_file: path.join(stateDir, 'tls', 'shim-key.pem') }, null, []);
    assert.deepEqual(files!.key, first.key);
    assert.ok(cert.checkPrivateKey(createPrivateKey(first.key)));
    await assert.rejects(loadTls({ ...NONE, self_signed: true }, null, []), { code: 'SAT_ERR_HTTP_TLS' });
  });
});
