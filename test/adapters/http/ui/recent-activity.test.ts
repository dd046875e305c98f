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
  const p1 = activity.partial({ source: 'satellite', utterance: 'u1', text: 'turn on', at });
  activity.partial({ source: 'provider', utterance: 'u2', text: 'what time', at });
  const p1b = activity.partial({ source: 'satellite', utterance: 'u1', text: 'turn on the light', at });
  assert.equal(p1b.id, p1.id);
  const final = activity.final({ source: 'satellite', text: 'turn on the light.', language: 'en', at });
  assert.equal(final.id, p1.id, 'the final replaced its partial');
  assert.deepEqual(
    activity.captions.map((c) => [c.source, c.text, c.final]),
    [
      ['satellite', 'turn on the light.', true],
      ['provider', 'what time', false],
    ],
  );
  for (let i = 0; i < MAX_CAPTIONS + 5; i++) activity.final({ source: 'provider', text: 'x'.repeat(MAX_TEXT_CHARS + 10), language: null, at });
  assert.equal(activity.captions.length, MAX_CAPTIONS);
  assert.equal(activity.captions.at(-1)!.text.length, MAX_TEXT_CHARS);
});

test('front ends keep their own open utterances, and a final naming its utterance replaces that one, not the oldest', () => {
  const activity = new RecentActivity();
  const at = new Date();
  const wyoming = activity.partial({ source: 'provider', via: 'wyoming', utterance: 'w1', text: 'set a timer', at });
  const first = activity.partial({ source: 'provider', via: 'realtime', utterance: 'item_a', text: 'hello', at });
  const second = activity.partial({ source: 'provider', via: 'realtime', utterance: 'item_b', text: 'good', at });
  // Realtime items can finish out of the order they opened in: the final names its item.
  const finalB = activity.final({ source: 'provider', via: 'realtime', utterance: 'item_b', text: 'good morning', language: 'en', at });
  assert.equal(finalB.id, second.id);
  assert.equal(finalB.via, 'realtime');
  // A Wyoming final names no utterance: it takes the oldest open one of its own front end, not a Realtime one.
  const finalW = activity.final({ source: 'provider', via: 'wyoming', text: 'set a timer for five minutes', language: null, at });
  assert.equal(finalW.id, wyoming.id);
  const finalA = activity.final({ source: 'provider', via: 'realtime', text: 'hello there', language: null, at });
  assert.equal(finalA.id, first.id);
  // A final over HTTP with nothing open is a caption of its own.
  const http = activity.final({ source: 'provider', via: 'http', text: 'a file', language: null, at });
  assert.ok(![wyoming.id, first.id, second.id].includes(http.id));
  assert.deepEqual(
    activity.captions.map((c) => [c.via, c.text, c.final]),
    [
      ['wyoming', 'set a timer for five minutes', true],
      ['realtime', 'hello there', true],
      ['realtime', 'good morning', true],
      ['http', 'a file', true],
    ],
  );
  const reply = activity.reply({ source: 'provider', via: 'http', text: 'hi', voice: 'en-us', at });
  assert.equal(reply.via, 'http');
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
