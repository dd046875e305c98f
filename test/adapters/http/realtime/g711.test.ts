/**
 * G.711 μ-law and A-law against Python's audioop (CPython's C implementation of the ITU tables):
 * every one of the 256 codes decodes to the same sample, and every 16-bit sample encodes to the
 * same code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeG711, encodeG711 } from '../../../../src/adapters/http/realtime/g711.js';
import { hasCommand, need } from '../../../helpers/system.js';

/** Every int16 value, little-endian. */
const ALL_SAMPLES = Buffer.alloc(65_536 * 2);
for (let i = 0; i < 65_536; i++) ALL_SAMPLES.writeInt16LE(i - 32_768, i * 2);
const ALL_CODES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Runs audioop's `fn` on `input` (bytes in on stdin, bytes out on stdout); undefined when audioop is unavailable. */
function audioop(fn: string, input: Buffer): Buffer | undefined {
  const code = `import sys, warnings\nwarnings.simplefilter('ignore')\nimport audioop\nsys.stdout.buffer.write(audioop.${fn}(sys.stdin.buffer.read(), 2))`;
  const run = spawnSync('python3', ['-c', code], { input, maxBuffer: 1 << 22 });
  return run.status === 0 ? run.stdout : undefined;
}

const haveAudioop = hasCommand('python3') && audioop('lin2ulaw', Buffer.alloc(2)) !== undefined;

describe('G.711', () => {
  for (const [codec, decode, encode] of [
    ['pcmu', 'ulaw2lin', 'lin2ulaw'],
    ['pcma', 'alaw2lin', 'lin2alaw'],
  ] as const) {
    test(`${codec}: decoding all 256 codes and encoding all 65536 samples match audioop`, (t) => {
      if (!need(t, haveAudioop, 'python3 with audioop missing')) return;
      assert.deepEqual(decodeG711(ALL_CODES, codec), audioop(decode, ALL_CODES));
      assert.deepEqual(encodeG711(ALL_SAMPLES, codec), audioop(encode, ALL_SAMPLES));
    });
  }
});
