import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, LogProgress, LOG_LINE_INTERVAL_MS, TtyProgress } from '../../src/models/progress.js';
import { captureLogger } from './fixtures.js';

test('the terminal bar shows bytes, percentage, rate and ETA, redrawn in place', () => {
  let now = 0;
  const writes: string[] = [];
  const out = { write: (s: string) => writes.push(s), columns: 120, isTTY: true } as unknown as NodeJS.WriteStream;
  const bar = new TtyProgress(out, () => now);
  bar.start('silero-vad-v6: silero_vad.onnx', 4_000_000, 0);
  now = 1000;
  bar.update(1_000_000);
  const line = writes.at(-1)!;
  assert.ok(line.startsWith('\r'));
  assert.match(line, /25%/);
  assert.match(line, /977 kB \/ 3\.8 MB/);
  assert.match(line, /977 kB\/s/);
  assert.match(line, /ETA 0:03/);
  bar.end(true);
  assert.equal(writes.at(-1), '\n');
});

test('without a terminal, progress is a log line at most every interval', () => {
  let now = 0;
  const { log, lines } = captureLogger();
  const progress = new LogProgress(log, () => now);
  progress.start('m.onnx', 1000, 0);
  progress.update(100);
  now = LOG_LINE_INTERVAL_MS + 1;
  progress.update(500);
  progress.update(600);
  progress.end(true);
  const msgs = lines.map((l) => String(l['msg']));
  assert.equal(msgs[0], 'downloading');
  assert.equal(msgs.filter((m) => m.startsWith('download progress')).length, 1);
  assert.equal(msgs.at(-1), 'download complete');
});

test('byte counts are human readable', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2_327_524), '2.2 MB');
  assert.equal(formatBytes(482_468_385), '460 MB');
});
