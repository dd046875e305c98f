/**
 * What the live view keeps for a browser that opens it later: the last captions (a partial
 * transcript grows in place until its final replaces it) and the last spoken replies. Both lists
 * and every text in them are bounded.
 */

export const MAX_CAPTIONS = 40;
export const MAX_REPLIES = 10;
/** Longer texts are cut here (with an ellipsis): a caption screen, not a transcript archive. */
export const MAX_TEXT_CHARS = 1_000;

export type Source = 'satellite' | 'provider';

export interface Caption {
  id: number;
  source: Source;
  text: string;
  final: boolean;
  language: string | null;
  at: string;
}

export interface Reply {
  id: number;
  source: Source;
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
  /** Open utterances (partials without their final yet) by source, oldest first, to caption ids. */
  readonly #open: Record<Source, Array<{ utterance: string; id: number }>> = { satellite: [], provider: [] };
  #nextId = 1;

  get captions(): readonly Caption[] {
    return this.#captions;
  }

  get replies(): readonly Reply[] {
    return this.#replies;
  }

  /** A partial transcript: the caption of its utterance grows (or starts). */
  partial(source: Source, utterance: string, text: string, at: Date): Caption {
    const open = this.#open[source];
    let entry = open.find((o) => o.utterance === utterance);
    if (!entry) {
      entry = { utterance, id: this.#nextId++ };
      open.push(entry);
      // Finals that never came (a peer that left) must not pile up.
      if (open.length > MAX_CAPTIONS) open.shift();
    }
    return this.#put({ id: entry.id, source, text: clip(text), final: false, language: null, at: at.toISOString() });
  }

  /**
   * A final transcript: it replaces the oldest open partial of its source (finals carry no
   * utterance id, and a source finishes its utterances in order), else it is a caption of its own.
   */
  final(source: Source, text: string, language: string | null, at: Date): Caption {
    const entry = this.#open[source].shift();
    return this.#put({ id: entry?.id ?? this.#nextId++, source, text: clip(text), final: true, language, at: at.toISOString() });
  }

  reply(source: Source, text: string, voice: string | null, at: Date): Reply {
    const reply = { id: this.#nextId++, source, text: clip(text), voice, at: at.toISOString() };
    this.#replies.push(reply);
    if (this.#replies.length > MAX_REPLIES) this.#replies.shift();
    return reply;
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
