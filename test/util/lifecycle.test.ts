import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Lifecycle } from '../../src/util/lifecycle.js';
import { createLogger } from '../../src/util/logger.js';

const silent = createLogger({ level: 'silent' });

test('parts stop in reverse order of registration', async () => {
  const order: string[] = [];
  const lifecycle = new Lifecycle(silent);
  lifecycle.onStop('server', () => void order.push('server'));
  lifecycle.onStop('mqtt', async () => {
    await new Promise((r) => setTimeout(r, 10));
    order.push('mqtt');
  });
  lifecycle.onStop('mdns', () => void order.push('mdns'));
  await lifecycle.stop();
  assert.deepEqual(order, ['mdns', 'mqtt', 'server']);
});

test('a part that never stops cannot hold shutdown past the bound, and later parts still stop', async () => {
  const order: string[] = [];
  const lifecycle = new Lifecycle(silent);
  lifecycle.onStop('last', () => void order.push('last'));
  lifecycle.onStop('stuck', () => new Promise(() => undefined));
  lifecycle.onStop('throws', () => {
    throw new Error('nope');
  });
  await lifecycle.stop(200);
  assert.deepEqual(order, ['last']);
});

test('SIGTERM stops in order and exits 0; a second signal forces exit', () => {
  const lifecycleUrl = new URL('../../src/util/lifecycle.js', import.meta.url).href;
  const loggerUrl = new URL('../../src/util/logger.js', import.meta.url).href;
  const script = (hang: boolean) => `
    const { Lifecycle } = await import(${JSON.stringify(lifecycleUrl)});
    const { createLogger } = await import(${JSON.stringify(loggerUrl)});
    const l = new Lifecycle(createLogger({ level: 'silent' }));
    l.onStop('part', () => ${hang ? 'new Promise(() => {})' : "void process.stdout.write('stopped ')"});
    l.installSignalHandlers();
    setInterval(() => {}, 1000);
    process.kill(process.pid, 'SIGTERM');
    ${hang ? "setTimeout(() => process.kill(process.pid, 'SIGINT'), 100);" : ''}
  `;
  const clean = spawnSync(process.execPath, ['--input-type=module', '-e', script(false)], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(clean.status, 0);
  assert.match(clean.stdout, /stopped/);
  const forced = spawnSync(process.execPath, ['--input-type=module', '-e', script(true)], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(forced.status, 130);
});
