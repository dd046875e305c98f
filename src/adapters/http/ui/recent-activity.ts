/**
 * What the live view keeps for a browser that opens it later: the last captions (a partial
 * transcript grows in place until its final replaces it) and the last spoken replies. Both lists
 * and every text in them are bounded.
 */
import type { CoreEvents, Via } from '../../../core/bus.js';

export const MAX_CAPTIONS = 40;
export const MAX_REPLIES = 10;
/** Longer texts are cut here (with an ellipsis): a caption screen, not a transcript archive. */
export const MAX_TEXT_CHARS = 1_000;

export type Source = 'satellite' | 'provider';

export interface Caption {
  id: number;
  source: Source;
  /** The front end of a provider request (Wyoming, the HTTP file endpoints, Realtime); null when not said. */
  via: Via | null;
  text: string;
  final: boolean;
  language: string | null;
  at: string;
}

export interface Reply {
  id: number;
  source: Source;
  via: Via | null;
  text: string;
  voice: string | null;
  at: string;
}

export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export class RecentActivity {
  readonly #captions: Caption[] = [];
  readonly #replies: Reply[] = [];
  /** Open utterances (partials without their final yet) by channel (source and front end), oldest first, to caption ids. */
  readonly #open = new Map<string, Array<{ utterance: string; id: number }>>();
  #nextId = 1;

  get captions(): readonly Caption[] {
    return this.#captions;
  }

  get replies(): readonly Reply[] {
    return this.#replies;
  }

  /** A partial transcript: the caption of its utterance grows (or starts). */
  partial(p: CoreEvents['transcript-partial']): Caption {
    const open = this.#channel(p.source, p.via);
    let entry = open.find((o) => o.utterance === p.utterance);
    if (!entry) {
      entry = { utterance: p.utterance, id: this.#nextId++ };
      open.push(entry);
      // Finals that never came (a peer that left) must not pile up.
      if (open.length > MAX_CAPTIONS) open.shift();
    }
    return this.#put({ id: entry.id, source: p.source, via: p.via ?? null, text: clip(p.text), final: false, language: null, at: p.at.toISOString() });
  }

  /**
   * A final transcript: it replaces the open partial of its utterance when it names one, else the
   * oldest open partial of its channel (Wyoming finals carry no utterance id, and a source finishes
   * its utterances in order), else it is a caption of its own.
   */
  final(t: CoreEvents['transcript']): Caption {
    const open = this.#channel(t.source, t.via);
    const index = t.utterance === undefined ? 0 : open.findIndex((o) => o.utterance === t.utterance);
    const entry = index >= 0 ? open.splice(index, 1)[0] : undefined;
    return this.#put({ id: entry?.id ?? this.#nextId++, source: t.source, via: t.via ?? null, text: clip(t.text), final: true, language: t.language, at: t.at.toISOString() });
  }

  reply(r: CoreEvents['speech-reply']): Reply {
    const reply = { id: this.#nextId++, source: r.source, via: r.via ?? null, text: clip(r.text), voice: r.voice, at: r.at.toISOString() };
    this.#replies.push(reply);
    if (this.#replies.length > MAX_REPLIES) this.#replies.shift();
    return reply;
  }

  #channel(source: Source, via: Via | undefined): Array<{ utterance: string; id: number }> {
    const key = `${source}/${via ?? ''}`;
    let open = this.#open.get(key);
    if (!open) this.#open.set(key, (open = []));
    return open;
  }

  #put(caption: Caption): Caption {
    const at = this.#captions.findIndex((c) => c.id === caption.id);
    if (at >= 0) this.#captions[at] = caption;
    else {
      this.#captions.push(caption);
      if (this.#captions.length > MAX_CAPTIONS) this.#captions.shift();
    }
    return caption;
  }
}
