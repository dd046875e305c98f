/**
 * models.timeout_s holds in every phase of a download (connect, the wait for the answer, a proxy's
 * CONNECT, a stalled body), is not cut short by Node's own socket defaults, and the error names
 * the configured limit. An unreachable publisher is not retried inside a download.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { downloadFile } from '../../src/models/download.js';
import { managerFromConfig } from '../../src/models/from-config.js';
import { captureLogger, fileEntry, removeDir, tempDir, writeCatalogue } from './fixtures.js';
import { silentListener, unconnectableListener } from './stalled-servers.js';

const PIN = { sha256: 'a'.repeat(64), size: 1000 };
/** Above the 5 s timeout Node's shared HTTP agents put on every socket. */
const ABOVE_AGENT_DEFAULT_MS = 5500;

function code(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

test('a server that accepts and never answers fails after models.timeout_s, and the error names that limit', async () => {
  const silent = await silentListener();
  const dir = tempDir('timeout-answer');
  try {
    const url = 'https://github.com/test/releases/download/v1/model.onnx';
    const catalogue = writeCatalogue(dir, [fileEntry('stalled-model', [{ url, path: 'model.onnx', pin: PIN }])]);
    const config = parseConfig(
      {
        models_dir: path.join(dir, 'models'),
        models: { timeout_s: 0.3, retries: 0, catalogues: [catalogue], mirrors: { 'https://github.com/': `http://127.0.0.1:${silent.port}/` } },
      },
      {},
    );
    const { log } = captureLogger();
    const manager = managerFromConfig(config, log, { env: {} });
    const [report] = await manager.pull(manager.plan(['stalled-model']));
    assert.equal(report?.outcome, 'failed');
    assert.equal(code(report?.error), 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT');
    assert.match(report!.error!.message, /no answer from 127\.0\.0\.1:\d+ within 300 ms \(waiting for the answer; models\.timeout_s\)/);
  } finally {
    await silent.close();
    removeDir(dir);
  }
});

test("a connect that never completes is cut at the configured limit, not at Node's 5 s socket default", async () => {
  const peer = await unconnectableListener();
  const dir = tempDir('timeout-connect');
  try {
    const started = performance.now();
    await assert.rejects(
      downloadFile(
        { url: `http://127.0.0.1:${peer.port}/model.onnx`, dest: path.join(dir, 'm.part'), pins: [PIN], label: 'model.onnx' },
        { timeoutMs: ABOVE_AGENT_DEFAULT_MS, env: {}, retries: 0 },
      ),
      (err: unknown) => {
        assert.equal(code(err), 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT', String(err));
        assert.match((err as Error).message, /within 5\.5 s \(connecting; models\.timeout_s\)/);
        return true;
      },
    );
    // the limit itself, not an earlier default that would have been reported under its name
    assert.ok(performance.now() - started >= ABOVE_AGENT_DEFAULT_MS - 50, `failed after ${Math.round(performance.now() - started)} ms`);
  } finally {
    await peer.close();
    removeDir(dir);
  }
});

test('a TLS handshake that never completes is cut at the configured limit, naming the phase', async () => {
  const silent = await silentListener();
  const dir = tempDir('timeout-tls');
  try {
    await assert.rejects(
      downloadFile(
        { url: `https://127.0.0.1:${silent.port}/model.onnx`, dest: path.join(dir, 'm.part'), pins: [PIN], label: 'model.onnx' },
        { timeoutMs: 300, env: {}, retries: 0 },
      ),
      (err: unknown) => code(err) === 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT' && /within 300 ms \(TLS handshake; models\.timeout_s\)/.test((err as Error).message),
    );
  } finally {
    await silent.close();
    removeDir(dir);
  }
});

test('a proxy that never answers CONNECT is cut at the configured limit', async () => {
  const silent = await silentListener();
  const dir = tempDir('timeout-proxy');
  try {
    await assert.rejects(
      downloadFile(
        { url: 'https://models.example.invalid/model.onnx', dest: path.join(dir, 'm.part'), pins: [PIN], label: 'model.onnx' },
        { timeoutMs: 300, env: { HTTPS_PROXY: `http://127.0.0.1:${silent.port}` }, retries: 0 },
      ),
      (err: unknown) => code(err) === 'SAT_ERR_MODEL_PROXY' && /did not answer within 300 ms \(models\.timeout_s\)/.test((err as Error).message),
    );
  } finally {
    await silent.close();
    removeDir(dir);
  }
});

test('a body that stops halfway fails after the limit with "no data", and the partial file stays for a resume', async () => {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': PIN.size });
    res.write(Buffer.alloc(100));
    // …and nothing more
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = tempDir('timeout-body');
  try {
    const dest = path.join(dir, 'm.part');
    await assert.rejects(
      downloadFile({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/m`, dest, pins: [PIN], label: 'm' }, { timeoutMs: 300, env: {}, retries: 0 }),
      (err: unknown) => code(err) === 'SAT_ERR_MODEL_DOWNLOAD_TIMEOUT' && /no data from 127\.0\.0\.1:\d+ for 300 ms/.test((err as Error).message),
    );
    assert.equal(statSync(dest).size, 100, 'the bytes received stay for a Range resume');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeDir(dir);
  }
});

test('a publisher that refuses connections is not retried inside a download: the caller hears it at once', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const dir = tempDir('refused');
  const { log, lines } = captureLogger();
  try {
    await assert.rejects(
      downloadFile(
        { url: `http://127.0.0.1:${port}/m`, dest: path.join(dir, 'm.part'), pins: [PIN], label: 'm' },
        { timeoutMs: 5000, env: {}, retries: 4, retryBaseMs: 60_000, log },
      ),
      (err: unknown) => code(err) === 'SAT_ERR_MODEL_OFFLINE',
    );
    assert.deepEqual(lines.filter((l) => /retrying/.test(String(l['msg']))), []);
  } finally {
    removeDir(dir);
  }
});
