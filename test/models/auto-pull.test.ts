/**
 * The background pull's rounds with a scripted model manager: it waits through an outage and
 * retries, warns once per outage without a stack, retries at once when the network changes, and
 * gives up for good only on failures no retry can fix (with the models that need them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoPull } from '../../src/models/auto-pull.js';
import type { CatalogueEntry } from '../../src/models/catalogue-schema.js';
import { DownloadError } from '../../src/models/http-get.js';
import type { PullOptions, PullReport } from '../../src/models/manager.js';
import { captureLogger } from './fixtures.js';

type Outcome = 'installed' | 'offline' | 'not-found';

function entry(id: string, requires: string[] = []): CatalogueEntry {
  return { id, requires } as unknown as CatalogueEntry;
}

/** Plays one scripted outcome per round and model, as ModelManager.pull would report it. */
class ScriptedManager {
  readonly rounds: string[][] = [];
  constructor(private readonly script: Array<Record<string, Outcome>>) {}

  async pull(entries: readonly CatalogueEntry[], options: PullOptions = {}): Promise<PullReport[]> {
    const outcomes = this.script[this.rounds.length] ?? {};
    this.rounds.push(entries.map((e) => e.id));
    const reports: PullReport[] = [];
    const failed = new Set<string>();
    let stopped = false;
    for (const e of entries) {
      if (stopped || e.requires.some((d) => failed.has(d))) {
        failed.add(e.id);
        reports.push({ id: e.id, outcome: 'skipped', error: new DownloadError('SAT_ERR_MODEL_SKIPPED', `${e.id} skipped`, false) });
        continue;
      }
      const outcome = outcomes[e.id] ?? 'installed';
      if (outcome === 'installed') {
        reports.push({ id: e.id, outcome: 'installed' });
        continue;
      }
      const error =
        outcome === 'offline'
          ? new DownloadError('SAT_ERR_MODEL_OFFLINE', 'cannot reach github.com (ECONNREFUSED): no network or the host is down', true)
          : new DownloadError('SAT_ERR_MODEL_DOWNLOAD_NOT_FOUND', 'not found (HTTP 404)', false, 404);
      failed.add(e.id);
      reports.push({ id: e.id, outcome: 'failed', error });
      if (options.stopOn?.(error)) stopped = true;
    }
    return reports;
  }
}

function warnings(lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return lines.filter((l) => Number(l['level']) >= 40);
}

test('models wanted through an outage are pulled once the network is back, after one warning without a stack', async () => {
  const manager = new ScriptedManager([{ a: 'offline' }, { a: 'offline' }, {}]);
  const { log, lines } = captureLogger();
  const result = await autoPull({ manager, entries: [entry('a'), entry('b')], log, signal: new AbortController().signal, firstDelayMs: 0, command: 'satellite models pull --defaults' });
  assert.deepEqual(result, { installed: ['a', 'b'], givenUp: [] });
  assert.deepEqual(manager.rounds, [['a', 'b'], ['a', 'b'], ['a', 'b']], 'every round asks for what is still missing');
  const warned = warnings(lines);
  assert.equal(warned.length, 1, JSON.stringify(warned));
  assert.match(String(warned[0]!['msg']), /^no network: models cannot be downloaded now \(cannot reach github\.com.*retrying in the background.*satellite models pull --defaults/);
  assert.equal(warned[0]!['code'], 'SAT_ERR_MODEL_OFFLINE');
  assert.equal(warned[0]!['err'], undefined, 'no error object, so no stack');
  assert.ok(lines.some((l) => l['msg'] === 'model downloads go through again'));
  assert.ok(lines.some((l) => l['msg'] === 'all missing models installed'));
});

test('a second outage after some models landed is warned about again, once', async () => {
  const manager = new ScriptedManager([{ a: 'offline' }, { b: 'offline' }, { b: 'offline' }, {}]);
  const { log, lines } = captureLogger();
  const result = await autoPull({ manager, entries: [entry('a'), entry('b')], log, signal: new AbortController().signal, firstDelayMs: 0, command: 'x' });
  assert.deepEqual(result.installed, ['a', 'b']);
  assert.equal(warnings(lines).length, 2);
});

test('a change of the network addresses starts the next round at once instead of after the backoff', async () => {
  const manager = new ScriptedManager([{ a: 'offline' }, {}]);
  const { log, lines } = captureLogger();
  let signature = 'eth0/fe80::1';
  setTimeout(() => (signature = 'eth0/fe80::1,wlan0/192.168.1.20'), 50);
  const result = await autoPull({
    manager,
    entries: [entry('a')],
    log,
    signal: new AbortController().signal,
    firstDelayMs: 3_600_000,
    command: 'x',
    networkSignature: () => signature,
    pollMs: 10,
  });
  assert.deepEqual(result.installed, ['a']);
  assert.ok(lines.some((l) => l['msg'] === 'retrying model downloads' && l['why'] === 'network-change'));
});

test('a model that fails for good is given up once, with the models that need it, while the others keep waiting', async () => {
  const manager = new ScriptedManager([{ a: 'not-found', c: 'offline' }, {}]);
  const { log, lines } = captureLogger();
  const givenUp: string[][] = [];
  const result = await autoPull({
    manager,
    entries: [entry('a'), entry('b', ['a']), entry('c')],
    log,
    signal: new AbortController().signal,
    firstDelayMs: 0,
    command: 'x',
    onGivenUp: (ids) => givenUp.push(ids),
  });
  assert.deepEqual(givenUp, [['a', 'b']]);
  assert.deepEqual(manager.rounds[1], ['c'], 'only the model waiting for the network is tried again');
  assert.deepEqual(result, { installed: ['c'], givenUp: ['a', 'b'] });
  const errors = lines.filter((l) => Number(l['level']) >= 50);
  assert.deepEqual(errors.map((l) => l['model']), ['a', 'b']);
  assert.ok(errors.every((l) => l['err'] === undefined), 'no stacks');
  assert.ok(!lines.some((l) => l['msg'] === 'all missing models installed'));
});

test('stopping the daemon ends the wait between rounds', async () => {
  const manager = new ScriptedManager([{ a: 'offline' }]);
  const { log } = captureLogger();
  const abort = new AbortController();
  const running = autoPull({ manager, entries: [entry('a')], log, signal: abort.signal, firstDelayMs: 3_600_000, command: 'x' });
  setTimeout(() => abort.abort(), 50);
  await assert.rejects(running, (err: unknown) => (err as Error).name === 'AbortError');
  assert.equal(manager.rounds.length, 1);
});
