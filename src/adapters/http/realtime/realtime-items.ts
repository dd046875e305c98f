/**
 * The conversation items a Realtime session has described to its client, kept so that the
 * client's item events (`conversation.item.retrieve`, `.delete`, `.truncate`) can be answered.
 * Items are learned from the server events the session sends, so what is retrieved is exactly
 * what the client was told. Bounded: past {@link MAX_ITEMS} items or {@link MAX_ITEM_BYTES} of
 * them the oldest are forgotten (a client may send a few MiB of text per item).
 */
import type { ServerEvent } from './realtime-events.js';

export const MAX_ITEMS = 256;
export const MAX_ITEM_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

interface Content {
  type: string;
  transcript?: string | null;
}

export class ConversationItems {
  readonly #items = new Map<string, Json>();
  /** Each item's size as JSON when stored, and their sum. */
  readonly #sizes = new Map<string, number>();
  #bytes = 0;
  /** Milliseconds of audio each assistant item carries (set when its response ends). */
  readonly #audioMs = new Map<string, number>();

  /** Follows one server event on its way to the client. */
  observe(event: ServerEvent): void {
    switch (event.type) {
      case 'conversation.item.added':
      case 'conversation.item.done':
        this.#put(event['item'] as Json);
        return;
      case 'conversation.item.input_audio_transcription.completed': {
        const content = this.#content(String(event['item_id']), Number(event['content_index'] ?? 0));
        if (content) content.transcript = String(event['transcript']);
        return;
      }
      default:
        return;
    }
  }

  get(id: string): Json | undefined {
    return this.#items.get(id);
  }

  delete(id: string): boolean {
    this.#audioMs.delete(id);
    this.#bytes -= this.#sizes.get(id) ?? 0;
    this.#sizes.delete(id);
    return this.#items.delete(id);
  }

  setAudioMs(id: string, ms: number): void {
    if (this.#items.has(id)) this.#audioMs.set(id, ms);
  }

  audioMs(id: string): number | undefined {
    return this.#audioMs.get(id);
  }

  /** Drops the text of an audio part the listener did not hear (the spec: no text the user has not heard). */
  clearTranscript(id: string, contentIndex: number): void {
    const content = this.#content(id, contentIndex);
    if (content && 'transcript' in content) content.transcript = '';
  }

  #put(item: Json | undefined): void {
    if (!item || typeof item['id'] !== 'string') return;
    // A copy: later changes (a transcript, a truncation) must not rewrite events already sent.
    const json = JSON.stringify(item);
    const id = item['id'];
    const audioMs = this.#audioMs.get(id);
    this.delete(id);
    // One item past the whole budget is not kept (rather than pushing every other item out).
    if (json.length > MAX_ITEM_BYTES) return;
    if (audioMs !== undefined) this.#audioMs.set(id, audioMs);
    this.#items.set(id, JSON.parse(json) as Json);
    this.#sizes.set(id, json.length);
    this.#bytes += json.length;
    while (this.#items.size > MAX_ITEMS || this.#bytes > MAX_ITEM_BYTES) this.delete(this.#items.keys().next().value!);
  }

  #content(id: string, index: number): Content | undefined {
    const content = this.#items.get(id)?.['content'];
    return Array.isArray(content) ? (content[index] as Content | undefined) : undefined;
  }
}
