/**
 * The items a Realtime session remembers for retrieve/delete/truncate: learned from the events it
 * sends, updated by transcripts, and bounded by count and by bytes, oldest first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationItems, MAX_ITEM_BYTES, MAX_ITEMS } from '../../../../src/adapters/http/realtime/realtime-items.js';
import { messageItem } from '../../../../src/adapters/http/realtime/realtime-events.js';

const added = (id: string, text = 'hi') => ({ type: 'conversation.item.added', item: messageItem(id, 'user', 'completed', [{ type: 'input_text', text }]) });

test('an item is kept as described, a later transcript fills it, and events already sent are not rewritten', () => {
  const items = new ConversationItems();
  const event = { type: 'conversation.item.added', item: messageItem('item_a', 'user', 'completed', [{ type: 'input_audio', transcript: null }]) };
  items.observe(event);
  items.observe({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_a', content_index: 0, transcript: 'turn on the light' });
  assert.equal((items.get('item_a')!['content'] as Array<{ transcript: string }>)[0]!.transcript, 'turn on the light');
  assert.equal((event.item['content'] as Array<{ transcript: string | null }>)[0]!.transcript, null, 'the sent event is untouched');
  items.setAudioMs('item_a', 1200);
  items.observe(added('item_a', 'again'));
  assert.equal(items.audioMs('item_a'), 1200, 'a later description keeps the audio length');
  assert.equal(items.delete('item_a'), true);
  assert.equal(items.get('item_a'), undefined);
  assert.equal(items.delete('item_a'), false);
});

test('past the item count or the byte budget the oldest are forgotten', () => {
  const items = new ConversationItems();
  for (let i = 0; i < MAX_ITEMS + 10; i++) items.observe(added(`item_${i}`));
  assert.equal(items.get('item_0'), undefined);
  assert.equal(items.get('item_9'), undefined);
  assert.ok(items.get('item_10'));
  assert.ok(items.get(`item_${MAX_ITEMS + 9}`));

  // A client sending megabytes of text per item: what is kept stays within the budget.
  const big = new ConversationItems();
  const text = 'x'.repeat(300 * 1024);
  for (let i = 0; i < 10; i++) big.observe(added(`big_${i}`, text));
  const kept = Array.from({ length: 10 }, (_, i) => big.get(`big_${i}`)).filter(Boolean);
  assert.ok(kept.length >= 1 && kept.length * text.length <= MAX_ITEM_BYTES, `${kept.length} items kept`);
  assert.ok(big.get('big_9'), 'the newest is kept');
  assert.equal(big.get('big_0'), undefined);
  // One item larger than the whole budget is not kept at all, and pushes nothing else out.
  big.observe(added('huge', 'y'.repeat(MAX_ITEM_BYTES + 1)));
  assert.equal(big.get('huge'), undefined);
  assert.ok(big.get('big_9'));
});
