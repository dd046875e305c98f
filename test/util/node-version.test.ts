import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../src/util/node-version.js';

test('Node.js 20 and later are accepted, with or without the v', () => {
  for (const v of ['20.0.0', '20.19.2', 'v22.11.0', '24.1.0', '100.0.0']) assert.equal(nodeVersionProblem(v), undefined, v);
  assert.equal(MIN_NODE_MAJOR, 20);
});

test("Debian 12's Node.js 18 and anything older is refused with one line naming the version, the executable and the way out", () => {
  for (const v of ['18.20.4', 'v18.19.0', '16.20.2', '12.22.12']) {
    const problem = nodeVersionProblem(v, '/usr/bin/node');
    assert.ok(problem, v);
    assert.doesNotMatch(problem, /\n/);
    assert.match(problem, new RegExp(`needs Node\\.js 20 or later, but this is Node\\.js ${v.replace(/^v/, '').replaceAll('.', '\\.')} \\(/usr/bin/node\\)`));
    assert.match(problem, /Installing Node\.js 20/);
  }
});

test('a version string that cannot be read is refused too', () => {
  assert.match(nodeVersionProblem('garbage') ?? '', /unrecognised Node\.js version \(garbage\)/);
});
