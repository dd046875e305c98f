/**
 * What a page opened later sees: partial captions grow in place and their final replaces them,
 * per source; lists and texts are bounded. And the satellite's Wyoming transcript events become
 * whole-text partials on the bus only while someone listens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CAPTIONS, MAX_TEXT_CHARS, RecentActivity } from '../../../../src/adapters/http/ui/recent-activity.js';
import { CoreBus, type CoreEvents } from '../../../../src/core/bus.js';
import { TranscriptPartials } from '../../../../src/core/transcript-partials.js';
import { createLogger } from '../../../../src/util/logger.js';

test('a partial grows in place and its final replaces it; sources keep their own utterances; everything is bounded', () => {
  const activity = new RecentActivity();
  const at = new Date();
  const p1 = activity.partial('satellite', 'u1', 'turn on', at);
  activity.partial('provider', 'u2', 'what time', at);
  const p1b = activity.partial('satellite', 'u1', 'turn on the light', at);
  assert.equal(p1b.id, p1.id);
  const final = activity.final('satellite', 'turn on the light.', 'en', at);
  assert.equal(final.id, p1.id, 'the final replaced its partial');
  assert.deepEqual(
    activity.captions.map((c) => [c.source, c.text, c.final]),
    [
      ['satellite', 'turn on the light.', true],
      ['provider', 'what time', false],
    ],
  );
  for (let i = 0; i < MAX_CAPTIONS + 5; i++) activity.final('provider', 'x'.repeat(MAX_TEXT_CHARS + 10), null, at);
  assert.equal(activity.captions.length, MAX_CAPTIONS);
  assert.equal(activity.captions.at(-1)!.text.length, MAX_TEXT_CHARS);
});

test('Wyoming transcript-chunk events become whole-text partials, only while someone listens', () => {
  const bus = new CoreBus(createLogger({ level: 'silent' }));
  const partials = new TranscriptPartials(bus, 'satellite');
  const seen: Array<CoreEvents['transcript-partial']> = [];
  partials.observe({ type: 'transcript-chunk', data: { text: 'nobody' } } as never);
  bus.on('transcript-partial', 'test', (p) => seen.push(p));
  partials.observe({ type: 'transcript-start', data: {} } as never);
  partials.observe({ type: 'transcript-chunk', data: { text: 'he could' } } as never);
  partials.observe({ type: 'transcript-chunk', data: { text: ' wait' } } as never);
  partials.observe({ type: 'transcript', data: { text: 'he could wait' } } as never);
  partials.observe({ type: 'transcript-chunk', data: { text: 'next' } } as never);
  assert.deepEqual(
    seen.map((p) => p.text),
    ['he could', 'he could wait', 'next'],
  );
  assert.equal(seen[0]!.utterance, seen[1]!.utterance);
  assert.notEqual(seen[1]!.utterance, seen[2]!.utterance, 'a new utterance after the final');
});
