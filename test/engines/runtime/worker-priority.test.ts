/**
 * Inference workers run below the event loop's priority: the call lowers the calling thread's
 * nice value and no other thread's. (That the engine's worker really makes the call is checked
 * with the eSpeak engine in espeak-library.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { WORKER_NICE_DELTA } from '../../../src/engines/runtime/worker-priority.js';
import { niceOf, threadNices } from '../../helpers/thread-nice.js';

const MODULE = new URL('../../../src/engines/runtime/worker-priority.js', import.meta.url).href;

test('a worker lowers its own priority and no other thread’s', { skip: process.platform !== 'linux' && 'Linux keeps nice values per thread' }, async () => {
  const mainNice = niceOf(readFileSync('/proc/thread-self/stat', 'utf8'));
  const before = threadNices();
  const source = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(MODULE)}).then(({ lowerThreadPriority }) => {
      const returned = lowerThreadPriority();
      const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
      parentPort.postMessage({ returned, tid });
      parentPort.once('message', () => process.exit(0));
    });`;
  const worker = new Worker(source, { eval: true });
  const { returned, tid } = await new Promise<{ returned: number; tid: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    const expected = Math.min(19, mainNice + WORKER_NICE_DELTA);
    assert.equal(returned, expected);
    const after = threadNices();
    assert.equal(after.get(tid), expected, 'the worker thread runs at the lower priority');
    for (const [other, nice] of before) {
      if (after.has(other)) assert.equal(after.get(other), nice, `thread ${other} kept its priority`);
    }
  } finally {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await exited;
  }
});
