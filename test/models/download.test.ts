import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { downloadFile } from '../../src/models/download.js';
import { hasCommand, need } from '../helpers/system.js';
import { captureLogger, removeDir, tempDir } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

const BODY = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251));
const PIN = { sha256: createHash('sha256').update(BODY).digest('hex'), size: BODY.length };
const TIMEOUT_MS = 5000;

test('redirects are followed and Authorization is dropped when the redirect changes host', async () => {
  const server = await new MirrorServer().start();
  const dir = tempDir('redirect');
  try {
    server.route('/hf/model.onnx', { redirect: `http://localhost:${server.port}/cdn/model.onnx` });
    server.route('/cdn/model.onnx', { body: BODY });
    const result = await downloadFile(
      { url: `${server.base}/hf/model.onnx`, dest: path.join(dir, 'x.part'), pins: [PIN], label: 'model.onnx' },
      { timeoutMs: TIMEOUT_MS, env: {}, headers: { Authorization: 'Bearer secret' } },
    );
    assert.equal(result.sha256, PIN.sha256);
    assert.equal(result.url, `http://localhost:${server.port}/cdn/model.onnx`);
    assert.equal(server.requestsFor('/hf/model.onnx')[0]?.authorization, 'Bearer secret');
    assert.equal(server.requestsFor('/cdn/model.onnx')[0]?.authorization, undefined);
  } finally {
    await server.close();
    removeDir(dir);
  }
});

test('HTTP_PROXY carries plain HTTP downloads in absolute form to the proxy', async () => {
  const origin = await new MirrorServer().start();
  origin.route('/files/model.onnx', { body: BODY });
  const seen: string[] = [];
  // a forward proxy that sends every absolute-form request to the loopback origin
  const proxy = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const target = new URL(req.url ?? '/');
    const upstream = http.get({ host: '127.0.0.1', port: origin.port, path: target.pathname, headers: { range: req.headers.range ?? '' } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const dir = tempDir('proxy');
  try {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const result = await downloadFile(
      { url: 'http://models.example.invalid/files/model.onnx', dest: path.join(dir, 'x.part'), pins: [PIN], label: 'model.onnx' },
      { timeoutMs: TIMEOUT_MS, env: { HTTP_PROXY: proxyUrl } },
    );
    assert.equal(result.sha256, PIN.sha256);
    assert.deepEqual(seen, ['http://models.example.invalid/files/model.onnx']);
  } finally {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await origin.close();
    removeDir(dir);
  }
});

test('HTTPS_PROXY tunnels HTTPS downloads with CONNECT and the publisher certificate is still checked', async (t) => {
  if (!need(t, hasCommand('openssl'), 'openssl not installed')) return;
  const dir = tempDir('tls');
  const host = 'models.example.invalid';
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const cert = readFileSync(path.join(dir, 'cert.pem'));
  const origin = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => {
    res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const connects: string[] = [];
  const tunnels: net.Socket[] = [];
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    connects.push(req.url ?? '');
    tunnels.push(socket);
    const upstream = net.connect((origin.address() as net.AddressInfo).port, '127.0.0.1', () => {
      tunnels.push(upstream);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const env = { HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` };
  try {
    const result = await downloadFile(
      { url: `https://${host}/model.onnx`, dest: path.join(dir, 'x.part'), pins: [PIN], label: 'model.onnx' },
      { timeoutMs: TIMEOUT_MS, env, ca: cert },
    );
    assert.equal(result.sha256, PIN.sha256);
    assert.deepEqual(connects, [`${host}:443`]);
    // without trusting the certificate the tunnel is refused, not silently accepted
    await assert.rejects(
      downloadFile({ url: `https://${host}/model.onnx`, dest: path.join(dir, 'y.part'), pins: [PIN], label: 'model.onnx' }, { timeoutMs: TIMEOUT_MS, env, retries: 0 }),
      (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_TLS' && /certificate/.test((err as Error).message),
    );
  } finally {
    // tunnelled sockets left the HTTP server's hands: close them ourselves
    for (const socket of tunnels) socket.destroy();
    proxy.closeAllConnections();
    origin.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await new Promise<void>((resolve) => origin.close(() => resolve()));
    removeDir(dir);
  }
});

test('a partial file left by an interrupted run is resumed with Range by the next run', async () => {
  const server = await new MirrorServer().start();
  const dir = tempDir('resume-run');
  try {
    server.route('/m.onnx', { body: BODY, dropAfterBytes: 80_000, dropTimes: 1 });
    const spec = { url: `${server.base}/m.onnx`, dest: path.join(dir, 'm.part'), pins: [PIN], label: 'm.onnx' };
    await assert.rejects(downloadFile(spec, { timeoutMs: TIMEOUT_MS, env: {}, retries: 0 }), (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_DOWNLOAD');
    const { log } = captureLogger();
    const result = await downloadFile(spec, { timeoutMs: TIMEOUT_MS, env: {}, retries: 0, log });
    assert.equal(result.sha256, PIN.sha256);
    assert.equal(result.resumed, 1);
    assert.match(server.requestsFor('/m.onnx')[1]?.range ?? '', /^bytes=\d+-$/);
  } finally {
    await server.close();
    removeDir(dir);
  }
});

test('a body longer than every pin is cut off as an upstream change', async () => {
  const server = await new MirrorServer().start();
  const dir = tempDir('too-long');
  try {
    server.route('/m.onnx', { body: Buffer.concat([BODY, BODY]) });
    await assert.rejects(
      downloadFile({ url: `${server.base}/m.onnx`, dest: path.join(dir, 'm.part'), pins: [PIN], label: 'm.onnx' }, { timeoutMs: TIMEOUT_MS, env: {} }),
      (err: unknown) => (err as { code: string }).code === 'SAT_ERR_MODEL_SIZE_MISMATCH',
    );
  } finally {
    await server.close();
    removeDir(dir);
  }
});
